"""Coaching on the job: a coach's assignment to a location with a rhythm, the
visits it produces, their agendas and reports, requests for help between
visits, and intervision between coaches."""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SHORT_TEXT = 1000
LONG_TEXT = 4000


class AssignmentKind(models.TextChoices):
    STRUCTURAL = "structural", _("Structural, on a fixed rhythm")
    ON_REQUEST = "on_request", _("On request")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class CoachAssignment(models.Model):
    """A coach coaches a location: structurally (e.g. every second Tuesday
    09:30–11:30) or on request. The coach sees the cases of the location only
    where the parents consented to observation by the coach."""

    Kind = AssignmentKind
    Weekday = Weekday

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.PROTECT,
        related_name="coach_assignments",
    )
    location = models.ForeignKey(
        "pilots.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="coach_assignments",
    )
    groups = models.ManyToManyField(
        "pilots.Group",
        verbose_name=_("groups"),
        blank=True,
        related_name="coach_assignments",
        help_text=_("Leave empty for every group of the location."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AssignmentKind.choices)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    every_weeks = models.PositiveSmallIntegerField(
        _("every how many weeks"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[groups])

    class Meta:
        ordering = ["location__name", "starts_on"]
        verbose_name = _("coach assignment")
        verbose_name_plural = _("coach assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AssignmentKind.values), name="assignment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(kind="on_request")
                | Q(
                    weekday__isnull=False,
                    every_weeks__isnull=False,
                    start_time__isnull=False,
                    end_time__isnull=False,
                ),
                name="structural_assignment_has_rhythm",
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(end_time__gt=F("start_time")),
                name="assignment_visit_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.coach} – {self.location}"


class ClosedPeriod(models.Model):
    """Holidays and closing days: no structural visit is planned in them."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    location = models.ForeignKey(
        "pilots.Location",
        verbose_name=_("location"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closed_periods",
        help_text=_("Leave empty for a holiday that applies everywhere."),
    )

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("holiday or closing day")
        verbose_name_plural = _("holidays and closing days")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="closed_period_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.starts_on} – {self.ends_on})"


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Visit(models.Model):
    Status = VisitStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assignment = models.ForeignKey(
        CoachAssignment,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    #: The rhythm's slot this visit fills (also after it was moved): regenerating
    #: the rhythm never plans a second visit for the same slot.
    rhythm_date = models.DateField(_("rhythm date"), null=True, blank=True)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    location = models.ForeignKey(
        "pilots.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    groups = models.ManyToManyField("pilots.Group", verbose_name=_("groups"), related_name="visits")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    report_notes = models.TextField(
        _("general notes"), blank=True, validators=[MaxLengthValidator(LONG_TEXT)]
    )
    reported_at = models.DateTimeField(_("report written at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[groups])

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["coach", "starts_at"]),
            models.Index(fields=["location", "starts_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "rhythm_date"], name="one_visit_per_rhythm_slot"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="visit_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VisitStatus.values), name="visit_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.location} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("coaching:visit-detail", kwargs={"visit_uuid": self.uuid})


class Topic(models.TextChoices):
    ONE_CHILD = "one_child", _("About one child")
    CHILD_IN_GROUP = "child_in_group", _("A child in the group (anonymous)")
    GROUP_CLIMATE = "group_climate", _("The group climate")
    PARENTS = "parents", _("Working with parents")


class AgendaItem(models.Model):
    """A question for the visit. An item about one child links to that child's
    case; who cannot see the case sees "a child in the group"."""

    Topic = Topic

    class Source(models.TextChoices):
        QUESTION = "question", _("Question from the group")
        CONCERN = "concern", _("Concern logged since the last visit")
        PLAN_ACTION = "plan_action", _("Plan action due")
        EVALUATION = "evaluation", _("Plan evaluation due")
        FOLLOW_UP = "follow_up", _("Follow-up of the last visit")
        REQUEST = "request", _("Coaching request")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="agenda_items")
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    case = models.ForeignKey(
        "casework.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    group = models.ForeignKey(
        "pilots.Group", verbose_name=_("group"), on_delete=models.PROTECT, null=True, blank=True
    )
    question = models.TextField(_("question"), validators=[MaxLengthValidator(SHORT_TEXT)])
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.QUESTION)
    source_key = models.CharField(max_length=80, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    report_notes = models.TextField(
        _("notes from the visit"), blank=True, validators=[MaxLengthValidator(LONG_TEXT)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(condition=Q(topic__in=Topic.values), name="agenda_topic_valid"),
            models.CheckConstraint(
                condition=~Q(topic="one_child") | Q(case__isnull=False),
                name="agenda_one_child_has_case",
            ),
            # Pre-filling the agenda twice never adds the same open item twice.
            models.UniqueConstraint(
                fields=["visit", "source", "source_key"],
                condition=~Q(source_key=""),
                name="agenda_item_source_once",
            ),
        ]

    def __str__(self):
        return self.get_topic_display()


class VisitTip(models.Model):
    """A tip from the visit that applies to the whole group."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="tips")
    text = models.TextField(
        _("tip for the whole group"), validators=[MaxLengthValidator(SHORT_TEXT)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("tip for the group")
        verbose_name_plural = _("tips for the group")

    def __str__(self):
        return self.text[:60]


class FollowUp(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.CharField(_("follow-up"), max_length=300)
    owner_name = models.CharField(_("owner"), max_length=120)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(condition=~Q(owner_name=""), name="follow_up_has_owner"),
        ]

    def __str__(self):
        return self.description


class CoachingRequest(models.Model):
    """A PM asks for help between visits; the coach accepts, schedules or declines."""

    Topic = Topic

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the coach")
        ACCEPTED = "accepted", _("Accepted")
        SCHEDULED = "scheduled", _("Scheduled for a visit")
        DECLINED = "declined", _("Declined")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(
        "pilots.Group",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        related_name="coaching_requests",
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    case = models.ForeignKey(
        "casework.Case", verbose_name=_("case"), on_delete=models.CASCADE, null=True, blank=True
    )
    question = models.TextField(_("question"), validators=[MaxLengthValidator(SHORT_TEXT)])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_requests"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="open")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("coaching request")
        verbose_name_plural = _("coaching requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="declined_request_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.group} – {self.get_topic_display()}"


class Intervision(models.Model):
    """Coaches meet to learn from each other (cases stay anonymous)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    coaches = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="intervisions")
    notes = models.TextField(
        _("what we learned"), blank=True, validators=[MaxLengthValidator(LONG_TEXT)]
    )
    organised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[coaches])

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("intervision")
        verbose_name_plural = _("intervisions")

    def __str__(self):
        return f"{self.topic} ({self.held_on})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A coach's private iCalendar feed: a secret URL that can be revoked."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["coach"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_feed_per_coach",
            )
        ]

    def __str__(self):
        return f"{self.coach} ({'revoked' if self.revoked_at else 'active'})"


# Group plans live in their own module; importing them here registers them.
from .group_plans import (  # noqa: E402, F401
    AppliedCheck,
    GroupPlan,
    GroupPlanChild,
    GroupPlanGoal,
    GroupPlanReview,
    GroupPlanStaffing,
    GroupPlanTip,
    TipSource,
)
