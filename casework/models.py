"""A child's case and everything on its timeline.

Who may see a case is decided by the access policy (`alert4you.access_policy`)
and stored as object permissions in the direct-foreign-key tables at the end
of this module; nothing here decides access.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

LONG_TEXT = 4000
SHORT_TEXT = 1000


def long_text(verbose_name, **kwargs):
    return models.TextField(verbose_name, validators=[MaxLengthValidator(LONG_TEXT)], **kwargs)


class Child(models.Model):
    """Minimal data about a child: no national ID number, no address."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=80)
    date_of_birth = models.DateField(_("date of birth"))
    group = models.ForeignKey(
        "pilots.Group", verbose_name=_("group"), on_delete=models.PROTECT, related_name="children"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_children",
        help_text=_("The pedagogical staff member who is this child's mentor."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_name", "last_name"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [models.Index(fields=["group", "first_name"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    Status = CaseStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    reason = models.TextField(_("reason"), blank=True, validators=[MaxLengthValidator(SHORT_TEXT)])
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set when the retention sweep erased the case's content: the row stays as an
    # anonymous stub so the access log and the dashboards' counts keep their anchor.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseTeamMember",
        through_fields=("case", "user"),
        related_name="case_teams",
        verbose_name=_("case team"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("approve_plan", _("Can approve the child's plan")),
            ("view_access_log", _("Can see who looked at the case")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=~Q(status="closed"),
                name="one_open_case_per_child",
                violation_error_message=_("This child already has an open case."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
        ]

    def __str__(self):
        return _("Case of %(child)s") % {"child": self.child}

    def get_absolute_url(self):
        return reverse("casework:case-detail", kwargs={"case_uuid": self.uuid})


class TeamRole(models.TextChoices):
    PEDAGOGICAL_STAFF = "pedagogical_staff", _("Pedagogical staff")
    CARE_COORDINATOR = "care_coordinator", _("Pedagogue / care coordinator")
    LOCATION_MANAGER = "location_manager", _("Location manager")
    COACH = "coach", _("Coach (youth care)")
    EXTERNAL_EXPERT = "external_expert", _("External expert")
    SCHOOL = "school", _("School")


class CaseTeamMember(models.Model):
    Role = TeamRole

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships"
    )
    role = models.CharField(_("role in the team"), max_length=30, choices=TeamRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case team member")
        verbose_name_plural = _("case team members")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_team_member_once"),
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="team_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Domain(models.TextChoices):
    SOCIAL_EMOTIONAL = "social_emotional", _("Social-emotional")
    LANGUAGE = "language", _("Language")
    MOTOR = "motor", _("Motor")
    COGNITIVE = "cognitive", _("Cognitive")
    BEHAVIOUR = "behaviour", _("Behaviour")
    ATTACHMENT = "attachment", _("Attachment")
    HOME_SITUATION = "home_situation", _("Home situation")
    SAFETY = "safety", _("Safety")


class WorryLevel(models.IntegerChoices):
    LOW = 1, _("Small: keep an eye on it")
    MEDIUM = 2, _("Real: discuss it with the coach")
    HIGH = 3, _("Serious: act soon")


class WhereSeen(models.TextChoices):
    GROUP = "group", _("In the group")
    OUTDOORS = "outdoors", _("Playing outside")
    MEALS = "meals", _("At meals")
    REST = "rest", _("Sleeping or resting")
    DROP_OFF = "drop_off", _("At drop-off or pick-up")
    TRANSITION = "transition", _("At a transition between activities")
    ACTIVITY = "activity", _("During an activity")
    OTHER = "other", _("Elsewhere")


class Concern(models.Model):
    Domain = Domain
    WorryLevel = WorryLevel
    WhereSeen = WhereSeen

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="concerns"
    )
    observed_on = models.DateField(_("date seen"))
    domain = models.CharField(_("developmental domain"), max_length=30, choices=Domain.choices)
    description = long_text(_("what did you see?"))
    worry_level = models.PositiveSmallIntegerField(_("worry level"), choices=WorryLevel.choices)
    where_seen = models.CharField(_("where seen"), max_length=20, choices=WhereSeen.choices)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        related_name="logged_concerns",
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-observed_on", "-created_at"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [
            # Covers the dashboard's concerns per month and domain (an
            # index-only scan of the period instead of reading every concern).
            models.Index(
                fields=["observed_on", "domain", "case"], name="concern_observed_domain_case"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__in=Domain.values), name="concern_domain_valid"
            ),
            models.CheckConstraint(
                condition=Q(worry_level__in=WorryLevel.values), name="concern_worry_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(where_seen__in=WhereSeen.values), name="concern_where_seen_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_domain_display()} ({self.observed_on})"


class ObserverRole(models.TextChoices):
    PEDAGOGICAL_STAFF = "pedagogical_staff", _("Pedagogical staff")
    COACH = "coach", _("Coach")
    EXTERNAL_EXPERT = "external_expert", _("External expert")


def _scale_field(verbose_name, help_text):
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=help_text,
    )


class Observation(models.Model):
    """Free notes and, optionally, a structured well-being observation on 1–5 scales."""

    ObserverRole = ObserverRole

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="observations"
    )
    observed_on = models.DateField(_("date of the observation"))
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("observer"),
        on_delete=models.PROTECT,
        related_name="observations",
    )
    observer_role = models.CharField(
        _("observer's role"), max_length=30, choices=ObserverRole.choices
    )
    notes = long_text(_("notes"))
    wellbeing_self = _scale_field(_("the child's own well-being"), _("1 = very low, 5 = very good"))
    wellbeing_with_staff = _scale_field(
        _("the child with the pedagogical staff"), _("1 = very low, 5 = very good")
    )
    wellbeing_with_children = _scale_field(
        _("the child with other children"), _("1 = very low, 5 = very good")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-observed_on", "-created_at"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(wellbeing_self__isnull=True) | Q(wellbeing_self__range=(1, 5)))
                    & (Q(wellbeing_with_staff__isnull=True) | Q(wellbeing_with_staff__range=(1, 5)))
                    & (
                        Q(wellbeing_with_children__isnull=True)
                        | Q(wellbeing_with_children__range=(1, 5))
                    )
                ),
                name="observation_scales_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(observer_role__in=ObserverRole.values), name="observer_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_observer_role_display()} ({self.observed_on})"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for approval")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved")


class Party(models.TextChoices):
    CHILDCARE = "childcare", _("Childcare")
    YOUTH_CARE = "youth_care", _("Youth care")
    SCHOOL = "school", _("School")
    PARENTS = "parents", _("Parents")


class Plan(models.Model):
    """One version of the child's single joint plan.

    A case has one plan; each row here is a version of it. At most one version
    is being worked on (draft, submitted or returned) at a time; approved
    versions stay readable.
    """

    Status = PlanStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="plans"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    whole_group_learning = long_text(
        _("learning points for the whole group"),
        blank=True,
        help_text=_("What this child's plan teaches us for all children in the group."),
    )
    next_evaluation_date = models.DateField(_("next evaluation date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    parents_agreed_on = models.DateField(_("parents agreed on"), null=True, blank=True)
    parents_agreement_note = models.TextField(
        _("how the parents agreed"), blank=True, validators=[MaxLengthValidator(SHORT_TEXT)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_version_once"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_plan_in_progress_per_case",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_status_valid"
            ),
        ]

    def __str__(self):
        return _("Plan version %(version)s") % {"version": self.version}

    @property
    def is_editable(self):
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanGoal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(_("goal"), validators=[MaxLengthValidator(SHORT_TEXT)])
    owner_party = models.CharField(_("owned by"), max_length=20, choices=Party.choices)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_party__in=Party.values), name="goal_party_valid"
            ),
        ]

    def __str__(self):
        return self.description


class PlanAction(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"), validators=[MaxLengthValidator(SHORT_TEXT)])
    owner_party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    owner_name = models.CharField(_("owner"), max_length=120)
    due_date = models.DateField(_("due date"))
    for_whole_group = models.BooleanField(
        _("for the whole group"),
        default=False,
        help_text=_("This action helps every child in the group; it flows into the group plan."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_party__in=Party.values), name="action_party_valid"
            ),
            models.CheckConstraint(condition=~Q(owner_name=""), name="action_has_owner"),
        ]

    def __str__(self):
        return self.description


class PlanReview(models.Model):
    """Each submission, approval, return and parents' agreement is its own record."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")
        PARENTS_AGREED = "parents_agreed", _("Parents agreed")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(
        _("comment"), blank=True, validators=[MaxLengthValidator(SHORT_TEXT)]
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d})"


class PlacementSetting(models.TextChoices):
    REGULAR_GROUP = "regular_group", _("Regular group")
    PLUS_GROUP = "plus_group", _("Plus group")
    DAY_TREATMENT = "day_treatment", _("Day treatment")
    SPECIAL_EDUCATION = "special_education", _("Special education")


class Placement(models.Model):
    """Where the child is, over time (e.g. three months of day treatment, then back)."""

    Setting = PlacementSetting

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="placements"
    )
    setting = models.CharField(_("setting"), max_length=30, choices=PlacementSetting.choices)
    place = models.CharField(
        _("place"), max_length=150, help_text=_("Where, e.g. the group or the institution.")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, validators=[MaxLengthValidator(SHORT_TEXT)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(setting__in=PlacementSetting.values), name="placement_setting_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_setting_display()}: {self.place}"


class ReferralTarget(models.TextChoices):
    YOUTH_CARE = "youth_care", _("Youth care")
    MENTAL_HEALTH = "mental_health", _("Mental health care (GGZ)")
    PAEDIATRICIAN = "paediatrician", _("Paediatrician")
    YOUTH_HEALTH = "youth_health", _("Youth health care (JGZ)")
    EXTERNAL_EXPERT = "external_expert", _("External expert")
    OTHER = "other", _("Other")


class Referral(models.Model):
    Target = ReferralTarget

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        ENDED = "ended", _("Ended")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals"
    )
    target = models.CharField(_("referred to"), max_length=30, choices=ReferralTarget.choices)
    organisation = models.ForeignKey(
        "pilots.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient = models.CharField(_("name of the receiving party"), max_length=150, blank=True)
    reason = long_text(_("reason"))
    referred_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default="proposed"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.get_target_display()} ({self.referred_on})"


class AccessLogEntry(models.Model):
    """Who looked at which case, acting as what, when, from where, and whether it
    was allowed (NEN 7513). Append-only: besides `save` and `delete` here, a
    PostgreSQL trigger refuses UPDATE and DELETE (migration 0004)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed the case")
        TIMELINE = "timeline", _("Viewed the timeline")
        HISTORY = "history", _("Viewed the history")
        PLAN = "plan", _("Viewed the plan")
        EXPORT = "export", _("Exported the case")
        PRINT = "print", _("Printed the case")
        ACCESS_LOG = "access_log", _("Viewed the access log")
        LISTED = "listed", _("Saw the case in a list")
        SEARCH = "search", _("Found the case by searching")
        SUBJECT_ACCESS = (
            "subject_access",
            _("Exported everything held for a subject-access request"),
        )
        # Only ever refused: allowed changes are kept in the case's history.
        CHANGE = "change", _("Opened a page that changes the case")

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("allowed")
        DENIED = "denied", _("denied")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="access_log"
    )
    acting_as = models.CharField(_("acting as"), max_length=200, blank=True)
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED
    )
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["case", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"

    def save(self, *args, **kwargs):
        # The log is a record of what happened: it may grow, never change.
        if self.pk is not None:
            raise ValueError("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Access log entries cannot be deleted.")


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Personal grants (mentor, case team) — written only by the access policy."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission"])]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Grants to the auth groups that mirror a group's or location's staff."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission"])]
