"""Reminders: the outbox they are recorded in first, and what each user chose.

A reminder is a row here before it is ever an e-mail. The row's unique key
(kind, object, recipient, date) makes planning idempotent; its status makes
sending idempotent (see `alert4you.reminders`). A row holds no child data: the
mail is rendered at send time from the live objects, for what the recipient may
see then.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    VISIT_TOMORROW = "visit_tomorrow", _("Coaching visit tomorrow")
    SUBMIT_QUESTIONS = "submit_questions", _("Submit your questions for a visit")
    REPORT_OVERDUE = "report_overdue", _("Visit report overdue")
    PLAN_EVALUATION = "plan_evaluation", _("Plan evaluation due")
    CONVERSATION_NEXT_STEP = "conversation_next_step", _("Next step after a parent conversation")
    CONSENT_EXPIRING = "consent_expiring", _("Consent expiring")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly overview of the location")
    GROUP_PLAN_EVALUATION = "group_plan_evaluation", _("Group plan evaluation due")
    PILOT_EVALUATION = "pilot_evaluation", _("Pilot evaluation moment coming up")


#: Who receives each kind, and when (shown on the profile page).
KIND_DESCRIPTIONS = {
    ReminderKind.VISIT_TOMORROW: _(
        "The day before a visit, to the coach and the pedagogical staff of the groups."
    ),
    ReminderKind.SUBMIT_QUESTIONS: _(
        "Three days before a visit, to the pedagogical staff of the groups."
    ),
    ReminderKind.REPORT_OVERDUE: _("Two days after a visit without a report, to the coach."),
    ReminderKind.PLAN_EVALUATION: _(
        "A week before and on the day a child's plan is evaluated, to the case team."
    ),
    ReminderKind.CONVERSATION_NEXT_STEP: _(
        "On the day of the next step agreed with the parents, to the staff taking part."
    ),
    ReminderKind.CONSENT_EXPIRING: _(
        "A month before a parents' consent ends, to the pedagogical staff of the child's group."
    ),
    ReminderKind.WEEKLY_DIGEST: _("Every Monday, to the location's managers."),
    ReminderKind.GROUP_PLAN_EVALUATION: _(
        "A week before and on the day a group plan is evaluated, to the location's managers "
        "and the pedagogical staff of the group."
    ),
    ReminderKind.PILOT_EVALUATION: _(
        "Two weeks before and the day before a pilot's kick-off or evaluation, to its "
        "project leaders."
    ),
}


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class Reminder(models.Model):
    """One reminder for one recipient: the outbox row."""

    Kind = ReminderKind
    Status = ReminderStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40, choices=ReminderKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
        # "reminder_in_app" (recipient, -for_date) serves every lookup by recipient;
        # an index of its own would only make each planned reminder dearer to insert.
        db_index=False,
    )
    #: The day the reminder belongs to (part of the unique key).
    for_date = models.DateField(_("date"))
    #: The day of what it reminds of: the visit, the evaluation, the end of a consent.
    event_on = models.DateField(_("about the day"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    due_at = models.DateTimeField(_("due at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    emailed = models.BooleanField(_("sent by e-mail"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-for_date", "-due_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "recipient", "for_date"],
                name="reminder_once_per_kind_object_recipient_date",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values), name="reminder_status_valid"
            ),
        ]
        indexes = [
            # The sweep: due rows waiting, and rows stuck while being sent.
            models.Index(
                fields=["status", "due_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="reminder_to_send",
            ),
            models.Index(fields=["recipient", "-for_date"], name="reminder_in_app"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.for_date}"


class UserProfile(models.Model):
    """Personal settings: the language mail is written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


class ReminderPreference(models.Model):
    """Whether a user receives one kind of reminder by e-mail (no row: yes).
    Every reminder shows in the app either way."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=ReminderKind.choices)
    by_email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_preference_once"),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="reminder_preference_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.kind}: {self.by_email}"


class AuditEntry(models.Model):
    """An audited action that is not about one case: exports of aggregate
    figures, refused access to an object, views of the audit log, for example.
    Like the case access log it is append-only (a PostgreSQL trigger refuses
    UPDATE and DELETE, migration 0006) and never holds child data: `subject`
    names what was acted on (a pilot, a location, "national", an object's kind
    and UUID), `detail` the filters used. Written through `alert4you.audit`."""

    class Action(models.TextChoices):
        DASHBOARD_EXPORT = "dashboard_export", _("Exported dashboard figures")
        ACCESS_DENIED = "access_denied", _("Was refused access")
        AUDIT_LOG_VIEW = "audit_log_view", _("Viewed the audit log")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Set up two-step login")
        TWO_FACTOR_RESET = "two_factor_reset", _("Reset someone's two-step login")
        RETENTION_RUN = "retention_run", _("Erased cases past their retention period")

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("allowed")
        DENIED = "denied", _("denied")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Empty for the system's own runs (a scheduled retention sweep, say).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    acting_as = models.CharField(_("acting as"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "pilots.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    action = models.CharField(_("what"), max_length=40, choices=Action.choices)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED
    )
    subject = models.CharField(_("about"), max_length=200)
    detail = models.CharField(_("details"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"

    def save(self, *args, **kwargs):
        # The log is a record of what happened: it may grow, never change.
        if self.pk is not None:
            raise ValueError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries cannot be deleted.")


class UserSession(models.Model):
    """A signed-in session as its user sees it on "Your sessions": from where and
    since when. The session itself lives in Django's session store; this row is
    written at login, deleted at logout, and ending it ends the session.
    `session_key` is a credential: it never leaves the server (pages and URLs
    address a session by `uuid`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last active"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
