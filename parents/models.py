"""Parents are partners: who holds parental authority (gezag), what they
consented to, and the conversations held with them.

Whether a consent counts is decided by the rules in `parents.consent_rules`;
what a valid consent opens is decided by `alert4you.access_policy`.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SHORT_TEXT = 1000
LONG_TEXT = 4000


class Relation(models.TextChoices):
    PARENT = "parent", _("Parent")
    APPOINTED_GUARDIAN = "appointed_guardian", _("Appointed guardian (voogd)")
    FOSTER_PARENT = "foster_parent", _("Foster parent")
    FAMILY_GUARDIAN = "family_guardian", _("Family guardian (gezinsvoogd)")
    CARER = "carer", _("Other carer the child lives with")


class AuthorityCheck(models.TextChoices):
    REGISTER = "register", _("Extract from the custody register (gezagsregister)")
    COURT_ORDER = "court_order", _("Court decision")
    BIRTH_RECORD = "birth_record", _("Birth and marriage records (married or registered parents)")
    PARENT_STATEMENT = "parent_statement", _("The parent's own statement (not proof)")
    NOT_CHECKED = "not_checked", _("Not checked yet")


class Guardian(models.Model):
    Relation = Relation
    AuthorityCheck = AuthorityCheck

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        "casework.Child",
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="guardians",
    )
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=80)
    relation = models.CharField(_("relation to the child"), max_length=30, choices=Relation.choices)
    has_authority = models.BooleanField(
        _("holds parental authority (gezag)"),
        default=False,
        help_text=_(
            "Foster parents and others the child lives with hold none unless appointed guardian."
        ),
    )
    authority_checked_how = models.CharField(
        _("how parental authority was checked"),
        max_length=30,
        choices=AuthorityCheck.choices,
        default=AuthorityCheck.NOT_CHECKED,
    )
    authority_checked_on = models.DateField(_("checked on"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True, validators=[MaxLengthValidator(SHORT_TEXT)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("parent or guardian")
        verbose_name_plural = _("parents and guardians")
        constraints = [
            models.CheckConstraint(
                condition=Q(relation__in=Relation.values), name="guardian_relation_valid"
            ),
            models.CheckConstraint(
                condition=Q(authority_checked_how__in=AuthorityCheck.values),
                name="guardian_authority_check_valid",
            ),
            # Foster parents and carers hold no authority unless appointed guardian
            # (then their relation is "appointed guardian").
            models.CheckConstraint(
                condition=~Q(relation__in=["foster_parent", "carer", "family_guardian"])
                | Q(has_authority=False),
                name="guardian_authority_only_for_parents_and_guardians",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.get_relation_display()})"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


class Scope(models.TextChoices):
    SHARE_WITH_ORGANISATION = "share_with_organisation", _("Share information with an organisation")
    OBSERVATION_BY_COACH = "observation_by_coach", _("Observation by the coach")
    OBSERVATION_BY_EXTERNAL_EXPERT = (
        "observation_by_external_expert",
        _("Observation by an external expert"),
    )
    MULTIDISCIPLINARY_MEETING = (
        "multidisciplinary_meeting",
        _("Discussion in a multidisciplinary meeting"),
    )


class Decision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LEGAL_GROUND = "legal_ground", _("Shared without consent on a legal ground")


class Method(models.TextChoices):
    PAPER = "paper", _("Signed on paper")
    CONVERSATION = "conversation", _("In a conversation")
    EMAIL = "email", _("By e-mail")
    NOT_APPLICABLE = "not_applicable", _("Not applicable (legal ground)")


class Consent(models.Model):
    """One decision of the parents (or a legal ground) about one scope."""

    Scope = Scope
    Decision = Decision
    Method = Method

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        "casework.Child", verbose_name=_("child"), on_delete=models.CASCADE, related_name="consents"
    )
    scope = models.CharField(_("what for"), max_length=40, choices=Scope.choices)
    organisation = models.ForeignKey(
        "pilots.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("With whom information may be shared."),
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    given_by = models.ManyToManyField(
        Guardian, verbose_name=_("by"), blank=True, related_name="consents"
    )
    child_agreed = models.BooleanField(
        _("the child (12 or older) agreed too"), null=True, blank=True
    )
    decided_on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    legal_ground = models.TextField(
        _("legal ground"),
        blank=True,
        validators=[MaxLengthValidator(SHORT_TEXT)],
        help_text=_(
            "E.g. the supervision order (ondertoezichtstelling) and the article it rests on."
        ),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[MaxLengthValidator(SHORT_TEXT)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[given_by])

    class Meta:
        ordering = ["-decided_on", "-recorded_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["child", "scope", "decision"])]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="consent_scope_valid"),
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="consent_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(scope="share_with_organisation", organisation__isnull=False)
                | (~Q(scope="share_with_organisation") & Q(organisation__isnull=True)),
                name="consent_organisation_only_for_sharing",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("decided_on")),
                name="consent_valid_until_after_date",
            ),
            models.CheckConstraint(
                condition=~Q(decision="legal_ground") | ~Q(legal_ground=""),
                name="consent_legal_ground_stated",
            ),
            models.CheckConstraint(
                condition=Q(decision="withdrawn", withdrawn_on__isnull=False)
                | (~Q(decision="withdrawn") & Q(withdrawn_on__isnull=True)),
                name="consent_withdrawal_dated",
            ),
        ]

    def __str__(self):
        target = f" ({self.organisation})" if self.organisation_id else ""
        return f"{self.get_scope_display()}{target}: {self.get_decision_display()}"


class ConversationForm(models.TextChoices):
    COACH_LEADS = "coach_leads", _("The coach leads, as an example")
    TOGETHER = "together", _("Coach and pedagogical staff together")
    STAFF_ALONE = "staff_alone", _("The pedagogical staff member alone, with feedback afterwards")


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Probably easy")
    MODERATE = 2, _("May be difficult")
    HARD = 3, _("Expected to be hard")


class ParentConversation(models.Model):
    Form = ConversationForm
    Difficulty = Difficulty

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "casework.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="parent_conversations",
    )
    planned_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="planned")
    form = models.CharField(_("form"), max_length=20, choices=ConversationForm.choices)
    expected_difficulty = models.PositiveSmallIntegerField(
        _("expected difficulty"), choices=Difficulty.choices
    )
    staff_participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff taking part"),
        related_name="parent_conversations",
        blank=True,
    )
    guardians = models.ManyToManyField(
        Guardian, verbose_name=_("parents taking part"), related_name="conversations", blank=True
    )
    other_participants = models.CharField(_("others taking part"), max_length=200, blank=True)
    message = models.TextField(
        _("the message"),
        blank=True,
        validators=[MaxLengthValidator(LONG_TEXT)],
        help_text=_("What must the parents hear? One or two sentences."),
    )
    wording = models.TextField(
        _("the wording"),
        blank=True,
        validators=[MaxLengthValidator(LONG_TEXT)],
        help_text=_("How will you say it? Write down the first sentences."),
    )
    outcome = models.TextField(_("outcome"), blank=True, validators=[MaxLengthValidator(LONG_TEXT)])
    agreements = models.TextField(
        _("agreements"), blank=True, validators=[MaxLengthValidator(LONG_TEXT)]
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    coach_feedback = models.TextField(
        _("the coach's feedback"), blank=True, validators=[MaxLengthValidator(LONG_TEXT)]
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[staff_participants, guardians])

    class Meta:
        ordering = ["-planned_on", "-created_at"]
        verbose_name = _("parent conversation")
        verbose_name_plural = _("parent conversations")
        constraints = [
            models.CheckConstraint(
                condition=Q(form__in=ConversationForm.values), name="conversation_form_valid"
            ),
            models.CheckConstraint(
                condition=Q(expected_difficulty__in=Difficulty.values),
                name="conversation_difficulty_valid",
            ),
        ]

    def __str__(self):
        return _("Parent conversation on %(date)s") % {"date": self.planned_on}
