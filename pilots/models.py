"""Who works where: municipalities, organisations, pilots, locations, groups and
memberships. Who may see a child's case hangs on these rows, so the rules that
must never break are database constraints, not only form checks."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Province(models.TextChoices):
    DRENTHE = "DR", "Drenthe"
    FLEVOLAND = "FL", "Flevoland"
    FRIESLAND = "FR", "Fryslân"
    GELDERLAND = "GE", "Gelderland"
    GRONINGEN = "GR", "Groningen"
    LIMBURG = "LI", "Limburg"
    NOORD_BRABANT = "NB", "Noord-Brabant"
    NOORD_HOLLAND = "NH", "Noord-Holland"
    OVERIJSSEL = "OV", "Overijssel"
    UTRECHT = "UT", "Utrecht"
    ZEELAND = "ZE", "Zeeland"
    ZUID_HOLLAND = "ZH", "Zuid-Holland"


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    cbs_code = models.CharField(
        _("CBS code"),
        max_length=6,
        unique=True,
        help_text=_("The municipality code of Statistics Netherlands, e.g. GM0106."),
    )
    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    is_frontrunner = models.BooleanField(_("frontrunner municipality"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(cbs_code__regex=r"^GM[0-9]{4}$"),
                name="municipality_cbs_code_format",
            ),
            models.CheckConstraint(
                condition=Q(province__in=Province.values),
                name="municipality_province_valid",
            ),
        ]

    def __str__(self):
        return self.name


class OrganisationKind(models.TextChoices):
    CHILDCARE = "childcare", _("Childcare")
    YOUTH_CARE = "youth_care", _("Youth care")
    SCHOOL = "school", _("School")
    YOUTH_HEALTH = "youth_health", _("Youth health care (JGZ)")
    CJG = "cjg", _("Centre for youth and family (CJG)")
    MENTAL_HEALTH = "mental_health", _("Mental health care (GGZ)")
    MUNICIPALITY = "municipality", _("Municipality")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    Kind = OrganisationKind

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(115)],
        help_text=_(
            "How many years a closed case is kept after its last change before it is erased. "
            "Leave empty to use the default for the organisation's kind."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name


class PilotTrack(models.TextChoices):
    DAY_CARE = "day_care", _("Day care 0–4")
    AFTER_SCHOOL = "after_school", _("After-school care 4–12")
    SCHOOL = "school", _("School")


class Pilot(models.Model):
    Track = PilotTrack

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=150, unique=True)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    research_angle = models.TextField(_("research angle"), blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="pilots",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    kickoff_date = models.DateField(_("kick-off date"), null=True, blank=True)
    evaluation_date = models.DateField(_("evaluation date"), null=True, blank=True)
    partners = models.ManyToManyField(
        Organisation,
        through="PilotPartner",
        related_name="pilots",
        verbose_name=_("partner organisations"),
    )
    project_leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="led_pilots",
        blank=True,
        verbose_name=_("project leaders"),
    )
    steering_group = models.TextField(
        _("steering group"),
        blank=True,
        help_text=_("Members of the steering group and their role."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date", "name"]
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="pilot_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(track__in=PilotTrack.values), name="pilot_track_valid"
            ),
        ]

    def __str__(self):
        return self.name


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead partner")
    CHILDCARE = "childcare", _("Childcare partner")
    COACHING = "coaching", _("Coaching partner (youth care)")
    EDUCATION = "education", _("Education partner")
    HEALTH = "health", _("Youth health partner")
    OTHER = "other", _("Other partner")


class PilotPartner(models.Model):
    Role = PartnerRole

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("pilot partner")
        verbose_name_plural = _("pilot partners")
        constraints = [
            models.UniqueConstraint(fields=["pilot", "organisation"], name="pilot_partner_once"),
            models.CheckConstraint(
                condition=Q(role__in=PartnerRole.values),
                name="pilot_partner_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class LocationType(models.TextChoices):
    KDV = "kdv", _("Day care (KDV)")
    BSO = "bso", _("After-school care (BSO)")
    BSO_PLUS = "bso_plus", _("After-school care plus (BSO-plus)")
    PLAYGROUP = "playgroup", _("Playgroup")
    SCHOOL = "school", _("School")


class Location(models.Model):
    Type = LocationType

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="locations",
    )
    name = models.CharField(_("name"), max_length=150)
    location_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    street_address = models.CharField(_("street and number"), max_length=150, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
    )
    pilot = models.ForeignKey(
        Pilot,
        verbose_name=_("pilot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="locations",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="location_name_per_org"),
            models.CheckConstraint(
                condition=Q(location_type__in=LocationType.values),
                name="location_type_valid",
            ),
        ]

    def __str__(self):
        return self.name


class AgeBand(models.TextChoices):
    BABIES = "0-1", _("0–1 years (babies)")
    TODDLERS = "1-2", _("1–2 years")
    PRESCHOOL = "2-4", _("2–4 years (toddlers)")
    DAY_CARE = "0-4", _("0–4 years (vertical group)")
    YOUNG_SCHOOL = "4-7", _("4–7 years")
    OLDER_SCHOOL = "7-12", _("7–12 years")
    SCHOOL_AGE = "4-12", _("4–12 years")


class GroupKind(models.TextChoices):
    REGULAR = "regular", _("Regular group")
    PLUS = "plus", _("Plus group")


class Group(models.Model):
    AgeBand = AgeBand  # noqa: PIE794 - Group.AgeBand reads well in callers

    Kind = GroupKind

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="groups",
    )
    name = models.CharField(_("name"), max_length=100)
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), help_text=_("The most children the group may hold at once.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["location__name", "name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="group_name_per_location"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=40),
                name="group_capacity_range",
            ),
            models.CheckConstraint(
                condition=Q(age_band__in=AgeBand.values), name="group_age_band_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=GroupKind.values), name="group_kind_valid"),
        ]

    def __str__(self):
        return f"{self.location.name} – {self.name}"


class Role(models.TextChoices):
    PEDAGOGICAL_STAFF = "pedagogical_staff", _("Pedagogical staff")
    COACH = "coach", _("Coach")
    LOCATION_MANAGER = "location_manager", _("Location manager")
    CARE_COORDINATOR = "care_coordinator", _("Pedagogue / care coordinator")
    PROJECT_LEADER = "project_leader", _("Project leader")
    ORGANISATION_ADMIN = "organisation_admin", _("Organisation admin")
    SCHOOL_STAFF = "school_staff", _("School staff")
    EXTERNAL_EXPERT = "external_expert", _("External expert")
    PROGRAMME_STAFF = "programme_staff", _("Programme staff (national overview)")


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)


class Membership(models.Model):
    """A user's role in one organisation and the locations and groups it covers.

    Coverage can never reach into another organisation: database triggers
    (see the migration `0002_membership_coverage_triggers`) refuse it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    locations = models.ManyToManyField(
        Location,
        through="MembershipLocation",
        blank=True,
        related_name="memberships",
        verbose_name=_("locations covered"),
    )
    groups = models.ManyToManyField(
        Group,
        through="MembershipGroup",
        blank=True,
        related_name="memberships",
        verbose_name=_("groups covered"),
    )
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_has_role"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_role_once_per_org",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class MembershipLocation(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)
    location = models.ForeignKey(Location, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("location covered")
        verbose_name_plural = _("locations covered")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "location"], name="membership_location_once"
            ),
        ]

    def __str__(self):
        return str(self.location)


class MembershipGroup(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("group covered")
        verbose_name_plural = _("groups covered")
        constraints = [
            models.UniqueConstraint(fields=["membership", "group"], name="membership_group_once"),
        ]

    def __str__(self):
        return str(self.group)


# --- monitoring: evaluation moments and the competence questionnaire ---------------------------


class EvaluationKind(models.TextChoices):
    KICKOFF = "kickoff", _("Kick-off")
    INTERIM = "interim", _("Interim evaluation")
    FINAL = "final", _("Final evaluation")


class EvaluationMoment(models.Model):
    """A kick-off or evaluation of a pilot with its partners. What it records is
    about the pilot — how the cooperation works —, never about a child."""

    Kind = EvaluationKind

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pilot = models.ForeignKey(
        Pilot,
        verbose_name=_("pilot"),
        on_delete=models.CASCADE,
        related_name="evaluation_moments",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    with_steering_group = models.BooleanField(_("steering group"), default=False)
    with_partner_organisations = models.BooleanField(_("partner organisations"), default=False)
    with_parents_committee = models.BooleanField(
        _("parents' committee (oudercommissie)"), default=False
    )
    other_participants = models.CharField(_("others"), max_length=300, blank=True)
    success_factors = models.TextField(_("success factors"), max_length=4000, blank=True)
    bottlenecks = models.TextField(_("bottlenecks"), max_length=4000, blank=True)
    agreed_actions = models.TextField(_("agreed actions"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("evaluation moment")
        verbose_name_plural = _("evaluation moments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EvaluationKind.values), name="evaluation_moment_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.pilot} – {self.get_kind_display()} – {self.date}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse(
            "pilots:evaluation-edit",
            kwargs={"pilot_uuid": self.pilot.uuid, "moment_uuid": self.uuid},
        )


#: The four competences the approach strengthens, as (field, label).
COMPETENCES = (
    ("children_development", _("The development of children")),
    ("striking_behaviour", _("Striking behaviour")),
    ("asking_for_help", _("Asking for help")),
    ("working_with_parents", _("Working with parents")),
)
SCORE_MIN, SCORE_MAX = 1, 5


def _score(label):
    from django.core.validators import MaxValueValidator, MinValueValidator

    message = _("Choose a score from 1 to 5.")
    return models.PositiveSmallIntegerField(
        label,
        validators=[
            MinValueValidator(SCORE_MIN, message=message),
            MaxValueValidator(SCORE_MAX, message=message),
        ],
    )


class CompetenceRating(models.Model):
    """A PM's own answer to the short quarterly questionnaire: how confident they
    feel (1–5) on each competence. Only ever shown back to the PM themselves;
    dashboards show means over at least five respondents."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="competence_ratings",
    )
    pilot = models.ForeignKey(
        Pilot,
        verbose_name=_("pilot"),
        on_delete=models.CASCADE,
        related_name="competence_ratings",
    )
    quarter = models.DateField(_("quarter"), help_text=_("The first day of the quarter."))
    children_development = _score(_("The development of children"))
    striking_behaviour = _score(_("Striking behaviour"))
    asking_for_help = _score(_("Asking for help"))
    working_with_parents = _score(_("Working with parents"))
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        ordering = ["-quarter", "pk"]
        verbose_name = _("competence rating")
        verbose_name_plural = _("competence ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "pilot", "quarter"], name="competence_rating_once_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__day=1, quarter__month__in=[1, 4, 7, 10]),
                name="competence_rating_quarter_start",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": SCORE_MIN, f"{field}__lte": SCORE_MAX}),
                    name=f"competence_rating_{field}_range",
                )
                for field, _label in COMPETENCES
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.pilot} – {self.quarter:%Y-%m}"
