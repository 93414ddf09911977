"""The group plan: how a group works this period, what coaching taught that
applies to every child, the children who need extra attention, the room and
the staffing per day part. PMs draft it; the location manager approves it or
returns it with comments. Like the child's plan, each row is one version, at
most one version is being worked on at a time and approved versions stay
readable."""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models import PlanStatus

from . import Weekday  # defined before this module is imported

SHORT_TEXT = 1000
LONG_TEXT = 4000
IN_PROGRESS = ("draft", "submitted", "returned")


def _long_text(verbose_name, **kwargs):
    return models.TextField(verbose_name, validators=[MaxLengthValidator(LONG_TEXT)], **kwargs)


class GroupPlan(models.Model):
    Status = PlanStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(
        "pilots.Group",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    approach = _long_text(
        _("pedagogical approach"),
        blank=True,
        help_text=_("How the team works with this group: rhythm, climate, what you focus on."),
    )
    room_arrangements = _long_text(
        _("room arrangements"),
        blank=True,
        help_text=_(
            "For example a quiet separate room where a child can land before joining the group."
        ),
    )
    evaluation_date = models.DateField(_("evaluation date"))
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    evaluation = _long_text(_("evaluation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("group plan")
        verbose_name_plural = _("group plans")
        constraints = [
            models.UniqueConstraint(fields=["group", "version"], name="group_plan_version_once"),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status__in=IN_PROGRESS),
                name="one_group_plan_in_progress",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="group_plan_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="group_plan_period_order"
            ),
            models.CheckConstraint(
                condition=Q(evaluation_date__gte=F("period_start")),
                name="group_plan_evaluation_in_period",
            ),
        ]

    def __str__(self):
        return _("Group plan version %(version)s") % {"version": self.version}

    def get_absolute_url(self):
        return reverse("coaching:group-plan-detail", args=[self.uuid])

    @property
    def is_editable(self):
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class GroupPlanReview(models.Model):
    """Each submission, approval, return and evaluation is its own record."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")
        EVALUATED = "evaluated", _("Evaluated")

    plan = models.ForeignKey(GroupPlan, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(
        _("comment"), blank=True, validators=[MaxLengthValidator(SHORT_TEXT)]
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("group plan review")
        verbose_name_plural = _("group plan reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["submitted", "approved", "returned", "evaluated"]),
                name="group_plan_review_action_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d})"


class GroupPlanGoal(models.Model):
    plan = models.ForeignKey(GroupPlan, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(_("goal"), validators=[MaxLengthValidator(SHORT_TEXT)])
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("group goal")
        verbose_name_plural = _("group goals")
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="group_goal_not_empty"),
        ]

    def __str__(self):
        return self.description


class GroupPlanChild(models.Model):
    """A child in the group who needs extra attention. The link is to the
    child's case, so only those who may see that case see the child here."""

    plan = models.ForeignKey(GroupPlan, on_delete=models.CASCADE, related_name="children")
    case = models.ForeignKey(
        "casework.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    extra_attention = models.TextField(
        _("what extra attention"), validators=[MaxLengthValidator(SHORT_TEXT)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("child needing extra attention")
        verbose_name_plural = _("children needing extra attention")
        constraints = [
            models.UniqueConstraint(fields=["plan", "case"], name="group_plan_child_once"),
        ]

    def __str__(self):
        return str(_("child needing extra attention"))


class TipSource(models.TextChoices):
    VISIT = "visit", _("Coach's visit")
    CHILD_PLAN = "child_plan", _("A child's plan")
    TEAM = "team", _("The team")


class AppliedCheck(models.TextChoices):
    NOT_CHECKED = "not_checked", _("Not checked yet")
    APPLIED = "applied", _("Applied")
    PARTLY = "partly", _("Partly applied")
    NOT_APPLIED = "not_applied", _("Not applied")


class GroupPlanTip(models.Model):
    """A tip or action "for the whole group", with a later check whether the
    team applied it. Tips from a visit report or a child's plan keep a link to
    their source so the same one is never added twice."""

    plan = models.ForeignKey(GroupPlan, on_delete=models.CASCADE, related_name="tips")
    text = models.TextField(
        _("tip for the whole group"), validators=[MaxLengthValidator(SHORT_TEXT)]
    )
    source = models.CharField(
        _("source"), max_length=20, choices=TipSource.choices, default=TipSource.TEAM
    )
    visit_tip = models.ForeignKey(
        "coaching.VisitTip", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_action = models.ForeignKey(
        "casework.PlanAction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied = models.CharField(
        _("applied?"), max_length=20, choices=AppliedCheck.choices, default=AppliedCheck.NOT_CHECKED
    )
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    check_note = models.TextField(
        _("how it went"), blank=True, validators=[MaxLengthValidator(SHORT_TEXT)]
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("tip for the whole group")
        verbose_name_plural = _("tips for the whole group")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "visit_tip"],
                condition=Q(visit_tip__isnull=False),
                name="group_plan_visit_tip_once",
            ),
            models.UniqueConstraint(
                fields=["plan", "plan_action"],
                condition=Q(plan_action__isnull=False),
                name="group_plan_action_once",
            ),
            models.CheckConstraint(
                condition=Q(source__in=TipSource.values), name="group_plan_tip_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(applied__in=AppliedCheck.values), name="group_plan_tip_applied_valid"
            ),
            models.CheckConstraint(
                condition=Q(applied="not_checked") | Q(checked_on__isnull=False),
                name="group_plan_tip_check_dated",
            ),
        ]

    def __str__(self):
        return self.text[:60]


class DayKind(models.TextChoices):
    SCHOOL_DAY = "school", _("School day")
    HOLIDAY = "holiday", _("School holiday or day off")


class GroupPlanStaffing(models.Model):
    """One day part of the staffing plan: who is expected, how many staff.

    Day care fills the four age bands 0–1 … 3–4; after-school care the two
    bands 4–7 and 7+. The staff-child ratio check reads these rows."""

    DayKind = DayKind

    plan = models.ForeignKey(GroupPlan, on_delete=models.CASCADE, related_name="staffing")
    weekday = models.PositiveSmallIntegerField(
        _("day"),
        choices=Weekday.choices,
    )
    day_kind = models.CharField(
        _("kind of day"), max_length=10, choices=DayKind.choices, default=DayKind.SCHOOL_DAY
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    children_0_1 = models.PositiveSmallIntegerField(
        _("children 0–1"), default=0, validators=[MaxValueValidator(40)]
    )
    children_1_2 = models.PositiveSmallIntegerField(
        _("children 1–2"), default=0, validators=[MaxValueValidator(40)]
    )
    children_2_3 = models.PositiveSmallIntegerField(
        _("children 2–3"), default=0, validators=[MaxValueValidator(40)]
    )
    children_3_4 = models.PositiveSmallIntegerField(
        _("children 3–4"), default=0, validators=[MaxValueValidator(40)]
    )
    children_4_7 = models.PositiveSmallIntegerField(
        _("children 4–7"), default=0, validators=[MaxValueValidator(40)]
    )
    children_7_plus = models.PositiveSmallIntegerField(
        _("children 7+"), default=0, validators=[MaxValueValidator(40)]
    )
    staff_planned = models.PositiveSmallIntegerField(
        _("staff planned"), validators=[MaxValueValidator(20)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["day_kind", "weekday", "starts_at"]
        verbose_name = _("staffing for a day part")
        verbose_name_plural = _("staffing per day part")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="staffing_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=4), name="staffing_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(day_kind__in=DayKind.values), name="staffing_day_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["plan", "day_kind", "weekday", "starts_at"], name="staffing_slot_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def day_care_counts(self) -> tuple[int, int, int, int]:
        return (self.children_0_1, self.children_1_2, self.children_2_3, self.children_3_4)

    @property
    def after_school_counts(self) -> tuple[int, int]:
        return (self.children_4_7, self.children_7_plus)


#: The fields a staffing row is made of (what a form edits and a new version copies).
STAFFING_FIELDS = (
    "weekday",
    "day_kind",
    "starts_at",
    "ends_at",
    "children_0_1",
    "children_1_2",
    "children_2_3",
    "children_3_4",
    "children_4_7",
    "children_7_plus",
    "staff_planned",
)
