"""Reminders: recorded in an outbox first, then sent once by short tasks.

The life of a reminder, and the guarantee each step gives:

1. *Plan* (`plan_reminders`): the producers of `alert4you.reminder_kinds` list
   what is due today; new rows are bulk-inserted with ``ignore_conflicts`` on
   the unique key (kind, object, recipient, date). Planning twice — or two beats
   started by mistake — records each reminder once. Child-related reminders are
   recorded only for recipients who may see that child.
2. *Claim* (`sweep`, every minute from beat): due ``pending`` rows are locked
   with ``SELECT … FOR UPDATE SKIP LOCKED`` and marked ``sending``; two sweeps
   never claim the same row. After commit, one short task per batch of row ids
   (`SEND_BATCH`) is published. No task carries an ETA or countdown: Redis would
   redeliver such a task after its visibility timeout and it would run twice.
3. *Publish*: when the broker is down, publishing fails fast (settings bound
   the retries and timeouts), the rows go back to ``pending`` and the next
   sweep tries again. No web request ever waits for the broker.
4. *Send* (`deliver_batch`): the batch's rows are locked (``SKIP LOCKED``: a row
   another task holds is that task's to send); only ``sending`` rows are sent,
   so a task delivered twice (a lost worker's task is redelivered:
   ``acks_late``, ``reject_on_worker_lost``) sends each once. Each reminder is
   checked again — still relevant, recipient may still see the child — with
   what the checks need loaded per kind in bulk (a fixed number of queries per
   batch), rendered in the recipient's language, mailed over one connection if
   they want it by e-mail, and marked ``sent`` in the same transaction. A mail
   that fails is recorded for a retry; the rest of the batch is sent.
5. *Retry*: a failed send puts the row back to ``pending`` with a due time
   that backs off exponentially (bounded); after `MAX_ATTEMPTS` it is
   ``failed`` with the error, for an organisation admin to resend. A row whose
   worker died mid-send is reclaimed by the sweep after `SENDING_TIMEOUT`.
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
import smtplib
import time
import uuid
from contextlib import nullcontext
from email.utils import formatdate, make_msgid
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    SafeMIMEMultipart,
    SafeMIMEText,
    forbid_multi_line_headers,
)
from django.core.mail.utils import DNS_NAME
from django.db import (
    DatabaseError,
    OperationalError,
    connection,
    connections,
    router,
    transaction,
)
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from . import reminder_kinds
from .models import Reminder, ReminderKind, ReminderPreference, ReminderStatus, UserProfile
from .sql import db_value, postgresql

logger = logging.getLogger(__name__)

Status = ReminderStatus

#: A row claimed this long ago and still ``sending`` lost its worker: claim it again.
SENDING_TIMEOUT = datetime.timedelta(minutes=10)
#: Rows claimed per sweep (a busy morning holds tens of thousands); the rest wait a minute.
CLAIM_BATCH = 5000
#: Rows one send task handles: locked, checked and mailed together.
SEND_BATCH = 250
#: Retries back off from a minute, doubling, to at most an hour; then the row fails.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 60 * 60
MAX_ATTEMPTS = 8
#: Errors worth another try: the mail server, the network or the database was away.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, OperationalError)


# --- plan ---------------------------------------------------------------------------------------


def plan_reminders(on: datetime.date | None = None) -> int:
    """Record every reminder due on day `on` that is not recorded yet (idempotent).

    Cheap to run every minute: what exists is subtracted first, so the access
    checks run only for reminders new today.
    """
    on = on or timezone.localdate()
    due = {d for producer in reminder_kinds.PRODUCERS for d in producer(on)}
    if not due:
        return 0
    types = ContentType.objects.get_for_models(*{d.model for d in due})
    existing = set(
        Reminder.objects.filter(
            for_date__in={d.for_date for d in due}, kind__in={d.kind for d in due}
        ).values_list("kind", "content_type_id", "object_id", "recipient_id", "for_date")
    )
    new = [
        d
        for d in due
        if (d.kind, types[d.model].pk, d.object_id, d.recipient_id, d.for_date) not in existing
    ]
    # In key order: two sweeps inserting the same rows at once then wait on each
    # other in the same order, and cannot deadlock.
    new.sort(key=lambda d: (d.kind, types[d.model].pk, d.object_id, d.recipient_id, d.for_date))
    rows = [
        {
            "kind": d.kind,
            "content_type_id": types[d.model].pk,
            "object_id": d.object_id,
            "recipient_id": d.recipient_id,
            "for_date": d.for_date,
            "event_on": d.event_on,
            "due_at": d.due_at,
        }
        for d in reminder_kinds.visible_subjects(new)
    ]
    _insert_outbox_rows(rows)
    _keep_statistics_fresh(len(rows))
    return len(rows)


def _insert_outbox_rows(rows: list[dict]) -> None:
    """Insert new outbox rows (each the same fields' values, by attribute name;
    the other fields take their defaults); a row another sweep inserted first
    is left alone.

    On PostgreSQL in one ``INSERT … SELECT unnest(…), …``: a parameter per
    column rather than per value, and no model instance per row — a busy
    morning inserts tens of thousands of rows. Each column goes as one text
    in PostgreSQL's array syntax, which the server reads at once; a list
    would be sent as an ``ARRAY[…]`` expression of a literal per value, which
    costs more to build here and to parse there. A new row's UUID is made by
    the server (``gen_random_uuid()``: random, as ``uuid.uuid4``).
    """
    if not rows:
        return
    db = connections[router.db_for_write(Reminder)]  # not the proxy: looked up per value
    if db.vendor != "postgresql":
        Reminder.objects.bulk_create([Reminder(**row) for row in rows], ignore_conflicts=True)
        return
    given = rows[0].keys()
    defaults = Reminder()  # the values of every field the rows do not give
    columns, selected, params = [], [], []
    for field in Reminder._meta.concrete_fields:
        if field.primary_key:
            continue
        db_type = field.db_type(db)
        columns.append(db.ops.quote_name(field.column))
        if field.attname in given:
            selected.append(f"unnest(%s::{db_type}[])")
            prepare = field.get_db_prep_save
            params.append(_array_text([prepare(row[field.attname], db) for row in rows]))
        elif field.has_default() and field.default is uuid.uuid4:
            selected.append("gen_random_uuid()")
        elif field.has_default() and callable(field.default):  # one value per row
            selected.append(f"unnest(%s::{db_type}[])")
            values = [field.get_default() for _row in rows]
            params.append(_array_text([field.get_db_prep_save(value, db) for value in values]))
        else:
            selected.append(f"%s::{db_type}")
            params.append(field.get_db_prep_save(field.pre_save(defaults, True), db))
    table = db.ops.quote_name(Reminder._meta.db_table)
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selected)} "
            "ON CONFLICT DO NOTHING",
            params,
        )


def _array_text(values: list) -> str:
    """`values` (as the database stores them) in PostgreSQL's array syntax:
    each element quoted, ``NULL`` for None. Dates and times in ISO form, which
    the server reads back exactly (with the offset of an aware time)."""
    elements = []
    for value in values:
        if value is None:
            elements.append("NULL")
            continue
        text = value.isoformat() if isinstance(value, datetime.date) else str(value)
        if "\\" in text or '"' in text:
            text = text.replace("\\", "\\\\").replace('"', '\\"')
        elements.append(f'"{text}"')
    return "{" + ",".join(elements) + "}"


def _keep_statistics_fresh(inserted: int) -> None:
    """After a busy morning's rows went in, let PostgreSQL count them now.

    Autovacuum analyzes a table that grew by a tenth within minutes, but the
    sends start at once: planned on statistics of a table a fraction of its
    size, their lookups by id scan the whole outbox once per batch.
    """
    if inserted < 1000 or connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(Reminder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        (known,) = cursor.fetchone()
        if inserted > max(known, 0) / 10:
            cursor.execute(f"ANALYZE {table}")


# --- claim and publish --------------------------------------------------------------------------


def claim_due(now: datetime.datetime, limit: int = CLAIM_BATCH) -> list[int]:
    """Claim due rows for sending (call inside a transaction). Rows another
    sweep holds are skipped, not waited for; each row is claimed once.

    One statement: the due rows are chosen and locked (``FOR UPDATE SKIP
    LOCKED``) in a subquery, marked ``sending`` and their ids returned — no
    list of thousands of ids sent back and forth. SQLite (the embedded mode)
    has no row locks; there the statement as a whole, which the condition
    repeats, decides.
    """
    ops = connection.ops
    table = ops.quote_name(Reminder._meta.db_table)
    pk, status, due_at, claimed_at = (
        ops.quote_name(Reminder._meta.get_field(name).column)
        for name in ("id", "status", "due_at", "claimed_at")
    )
    claimable = f"({status} = %s AND {due_at} <= %s) OR ({status} = %s AND {claimed_at} < %s)"
    claimable_params = [
        Status.PENDING,
        db_value(Reminder, "due_at", now),
        Status.SENDING,
        db_value(Reminder, "claimed_at", now - SENDING_TIMEOUT),
    ]
    due = f"SELECT {pk} FROM {table} WHERE {claimable} ORDER BY {due_at}, {pk} LIMIT %s"
    if postgresql():
        # Chosen first, then found by primary key: a join with the subquery
        # would read the whole table again.
        chosen = f"{pk} = ANY(ARRAY({due} FOR UPDATE SKIP LOCKED))"
    else:
        chosen = f"{pk} IN ({due})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {status} = %s, {claimed_at} = %s "
            f"WHERE {chosen} AND ({claimable}) RETURNING {pk}, {due_at}",
            [
                Status.SENDING,
                db_value(Reminder, "claimed_at", now),
                *claimable_params,
                limit,
                *claimable_params,
            ],
        )
        # In the order of the outbox (SQLite returns its due times as text of
        # one fixed form, which sorts as the times do).
        return [row_id for row_id, _due_at in sorted(cursor.fetchall(), key=_due_order)]


def _due_order(row: tuple) -> tuple:
    row_id, due_at = row
    return due_at, row_id


def publish(ids: list[int], claimed_at: datetime.datetime) -> int:
    """Queue one send task per batch of claimed rows. When the broker refuses,
    stop and hand the rest back to the next sweep. Returns how many were queued."""
    from .tasks import send_reminders_task

    for done in range(0, len(ids), SEND_BATCH):
        try:
            send_reminders_task.delay(ids[done : done + SEND_BATCH])
        except Exception:  # the broker is down: the rows wait in the outbox
            logger.warning(
                "Broker unavailable: %d reminder(s) wait for the next sweep",
                len(ids) - done,
                exc_info=True,
            )
            Reminder.objects.filter(
                pk__in=ids[done:], status=Status.SENDING, claimed_at=claimed_at
            ).update(status=Status.PENDING, claimed_at=None)
            return done
    return len(ids)


def sweep(now: datetime.datetime | None = None) -> int:
    """Plan today's reminders, claim the due ones and queue them after commit."""
    now = now or timezone.now()
    plan_reminders(on=timezone.localdate(now))
    with transaction.atomic():
        ids = claim_due(now)
        if ids:
            transaction.on_commit(partial(publish, ids, now))
    return len(ids)


# --- send ---------------------------------------------------------------------------------------


def language_of(user) -> str:
    """The language the user's mail is written in (no query when the profile
    came with the user: ``select_related("recipient__profile")``)."""
    if UserProfile._meta.get_field("user").remote_field.is_cached(user):
        profile = getattr(user, "profile", None)  # cached as missing: no profile
        language = profile.language if profile else None
    else:
        language = UserProfile.objects.filter(user=user).values_list("language", flat=True).first()
    known = any(language == code for code, _name in settings.LANGUAGES)
    return language if known else settings.LANGUAGE_CODE


def email_refusals(user_ids) -> set[tuple[int, str]]:
    """(user id, kind) of the reminders these users do not want by e-mail."""
    return set(
        ReminderPreference.objects.filter(user_id__in=set(user_ids), by_email=False).values_list(
            "user_id", "kind"
        )
    )


def wants_email(user, kind: str) -> bool:
    return bool(user.email) and (user.pk, kind) not in email_refusals([user.pk])


class MailCache:
    """What the mails of one batch share. Mails that differ only in the
    recipient's name or in the plain texts of `FILLED` (the staff of a group,
    reminded of the same visit; the visits of one morning) share one rendering:
    it is made with placeholders for those texts, which each copy replaces."""

    #: Stands for the recipient's name; no mail contains it otherwise.
    NAME = f"recipient{uuid.uuid4().hex}"
    #: Context values the templates only print (or test for being empty), never
    #: filter or compare, so a placeholder stands for them: a text, or (group
    #: names) a list of texts joined. Their placeholders, per key.
    FILLED = {
        key: f"{key}{uuid.uuid4().hex}"
        for key in (
            "location_name",
            "day",
            "starts",
            "ends",
            "coach_name",
            "url",
            "child",
            "scope",
            "organisation_name",
            "group_names",
        )
    }

    def __init__(self):
        #: Per mail (kind, language, context but for its texts): subject, text and
        #: HTML, each split at the placeholders.
        self.parts: dict[tuple, tuple[list[str], ...]] = {}
        self.profile_urls: dict[str, str] = {}
        self.kind_labels: dict[tuple[str, str], str] = {}
        self._templates: dict[str, tuple] = {}
        #: The language `send_batch` made active for the mails it renders now.
        self.language: str | None = None
        self.languages: dict[int, str] = {}

    def language_of(self, user) -> str:
        """`language_of(user)`, once per recipient in a batch."""
        if user.pk not in self.languages:
            self.languages[user.pk] = language_of(user)
        return self.languages[user.pk]

    def templates(self, kind: str) -> tuple:
        if kind not in self._templates:
            self._templates[kind] = _templates(kind)
        return self._templates[kind]

    def kind_label(self, reminder: Reminder, language: str) -> str:
        key = (reminder.kind, language)
        if key not in self.kind_labels:
            self.kind_labels[key] = str(reminder.get_kind_display())
        return self.kind_labels[key]

    def profile_url(self, language: str) -> str:
        if language not in self.profile_urls:
            self.profile_urls[language] = reminder_kinds.site_url(reverse("reminders:profile"))
        return self.profile_urls[language]


#: Values that stand for themselves in a key (a SafeString is not one: it renders unescaped).
_PLAIN = frozenset({str, int, float, bool, type(None), datetime.date})


def _frozen(value):
    """`value` as a key: equal keys render equal mails. Raises TypeError for
    anything a template could look into further (a model, say)."""
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    if isinstance(value, dict):
        return tuple(sorted([(key, _frozen(item)) for key, item in value.items()]))
    if isinstance(value, list | tuple):
        return tuple([_frozen(item) for item in value])
    if isinstance(value, Promise):  # a lazy translation, rendered in the active language
        return ("lazy", str(value))
    if value is None or isinstance(value, str | int | float | datetime.date):
        return (kind, value)  # SafeString and str render differently
    raise TypeError(f"Not a template value: {type(value).__name__}")


def _render(kind: str, context: dict, cache: MailCache | None = None) -> tuple[str, str, str]:
    templates = cache.templates(kind) if cache else _templates(kind)
    return tuple(template.render(context) for template in templates)


def _templates(kind: str) -> tuple:
    return tuple(get_template(f"emails/reminder_{kind}.{part}") for part in PARTS)


PARTS = ("subject.txt", "txt", "html")


def _fillable(value) -> bool:
    """A text a placeholder may stand for: printed as is, escaped or not."""
    return type(value) is str and value != "" and _escapes_to_itself(value)


@functools.lru_cache(maxsize=4096)
def _escapes_to_itself(text: str) -> bool:
    return conditional_escape(text) == text


def _placeholders(context: dict) -> tuple[dict, dict[str, str]]:
    """`context` with placeholders for the `MailCache.FILLED` texts that
    escaping leaves alone, and what each placeholder stands for."""
    shared, fills = dict(context), {}
    for key in MailCache.FILLED.keys() & context.keys():
        value = context[key]
        if _fillable(value):
            placeholder = MailCache.FILLED[key]
            shared[key] = placeholder
            fills[placeholder] = value
        elif isinstance(value, list) and value and all(_fillable(item) for item in value):
            placeholders = _list_placeholders(key, len(value))
            shared[key] = list(placeholders)
            fills.update(zip(placeholders, value, strict=True))
    return shared, fills


@functools.cache
def _list_placeholders(key: str, count: int) -> tuple[str, ...]:
    """The placeholders of a list of `count` texts under `key`, one per item."""
    return tuple(f"{MailCache.FILLED[key]}.{n}." for n in range(count))


def _render_parts(
    kind: str, context: dict, name: str, cache: MailCache | None, language: str | None = None
):
    """Subject, text and HTML of a mail in `language` (the active one); from
    the batch's cache when an equal mail was rendered (only texts that escaping
    leaves alone are filled in afterwards, so a copy is exactly what rendering
    would give)."""
    key = None
    if cache is not None and _fillable(name):
        shared, fills = _placeholders(context)
        try:
            key = (kind, language or translation.get_language(), _frozen(shared))
        except TypeError:
            key = None
    if key is None:
        return _render(kind, {**context, "recipient_name": name}, cache)
    fills[MailCache.NAME] = name
    if key not in cache.parts:
        rendered = _render(kind, {**shared, "recipient_name": MailCache.NAME}, cache)
        # Split once at the placeholders (which the key fixes): every copy
        # is then joined from the pieces and its own texts.
        placeholders = sorted(fills, key=len, reverse=True)
        split = re.compile("(" + "|".join(map(re.escape, placeholders)) + ")")
        cache.parts[key] = tuple(split.split(part) for part in rendered)
    parts = []
    for pieces in cache.parts[key]:
        pieces = list(pieces)
        pieces[1::2] = [fills[placeholder] for placeholder in pieces[1::2]]
        parts.append("".join(pieces))
    return tuple(parts)


def render_mail(
    reminder: Reminder, target, facts=None, cache: MailCache | None = None
) -> EmailMultiAlternatives:
    """The reminder as an e-mail in the recipient's language: plain text and HTML.
    `facts`: what the kind's ``prepare`` gathered for the batch (else gathered
    here); `cache`: the batch's renderings, shared by equal mails."""
    kind = reminder_kinds.spec(reminder.kind)
    if facts is None:
        facts = kind.prepare([reminder], {reminder.object_id: target})
    recipient = reminder.recipient
    language = cache.language_of(recipient) if cache else language_of(recipient)
    # A batch renders its mails language by language (`send_batch`).
    active = cache is not None and cache.language == language
    active = active or translation.get_language() == language
    with nullcontext() if active else translation.override(language):
        context = kind.context(reminder, target, facts)
        context.update(
            {
                "kind_label": cache.kind_label(reminder, language)
                if cache
                else reminder.get_kind_display(),
                "profile_url": cache.profile_url(language)
                if cache
                else reminder_kinds.site_url(reverse("reminders:profile")),
                "language": language,
            }
        )
        name = reminder_kinds.person(recipient)
        subject, text, html = _render_parts(reminder.kind, context, name, cache, language)
    message = ReminderMail(
        subject=" ".join(subject.split()),  # one line, whatever the template did
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


class ReminderMail(EmailMultiAlternatives):
    """A reminder's e-mail: plain text and HTML. Its MIME form is exactly the
    one Django builds (a test compares them byte for byte), built at a
    fraction of the cost: a busy morning sends tens of thousands, and the
    standard parts parse and rewrite their own headers several times over."""

    def message(self):
        header_names = {name.lower() for name in self.extra_headers}
        if (
            (self.encoding or settings.DEFAULT_CHARSET) != "utf-8"
            or self.attachments
            or self.cc
            or self.reply_to
            or header_names & {"cc", "reply-to"}
            or not self.body
            or [alternative.mimetype for alternative in self.alternatives] != ["text/html"]
            or type(self.subject) is not str
        ):
            return super().message()  # not a reminder's shape: Django's own way
        msg = _mime_copy(_multipart_prototype(self.alternative_subtype))
        msg.set_payload(
            [
                _text_part(self.body, self.content_subtype),
                _text_part(self.alternatives[0].content, "html"),
            ]
        )
        # The headers of `EmailMessage.message()`, in its order, each checked
        # (and encoded) as `SafeMIMEMultipart.__setitem__` does; under the
        # compat32 policy, ``set_raw`` is what ``__setitem__`` then does.
        msg.set_raw("Subject", _header("Subject", self.subject))
        msg.set_raw("From", _header("From", str(self.extra_headers.get("From", self.from_email))))
        headers = []
        if "To" in self.extra_headers:
            headers.append(("To", self.extra_headers["To"]))
        elif self.to:
            headers.append(("To", ", ".join(str(v) for v in self.to)))
        if "date" not in header_names:
            headers.append(("Date", _date(int(time.time()), settings.EMAIL_USE_LOCALTIME)))
        if "message-id" not in header_names:
            headers.append(("Message-ID", make_msgid(domain=DNS_NAME)))
        headers.extend(
            (name, value)
            for name, value in self.extra_headers.items()
            if name.lower() not in {"from", "to", "cc", "reply-to"}
        )
        for name, value in headers:
            msg.set_raw(name, forbid_multi_line_headers(name, value, "utf-8")[1])
        return msg


@functools.lru_cache(maxsize=4)
def _date(second: int, localtime: bool) -> str:
    """The Date header of a mail made in this `second` (it names no fraction):
    the same for the hundreds of mails of a second, so formatted once."""
    return formatdate(second, localtime=localtime)


@functools.lru_cache(maxsize=1024)
def _header(name: str, value: str) -> str:
    """A header's value as `forbid_multi_line_headers` makes it (the subject
    encoded): the same for many mails, so encoded once."""
    return forbid_multi_line_headers(name, value, "utf-8")[1]


@functools.cache
def _multipart_prototype(subtype: str) -> SafeMIMEMultipart:
    return SafeMIMEMultipart(_subtype=subtype, encoding="utf-8")


@functools.cache
def _text_prototype(subtype: str, ascii_only: bool) -> SafeMIMEText:
    """A text part as Django makes it: its headers name the transfer encoding
    (7 or 8 bit), which depends on the text being ASCII only."""
    return SafeMIMEText("x" if ascii_only else "\u00e9", subtype, "utf-8")


def _mime_copy(prototype):
    """A copy of `prototype` (as `copy.copy` makes it, only cheaper) whose
    headers and defects are its own."""
    part = object.__new__(type(prototype))
    part.__dict__.update(vars(prototype))
    part._headers = list(prototype._headers)
    part.defects = []
    return part


def _text_part(text: str, subtype: str) -> SafeMIMEText:
    """`SafeMIMEText(text, subtype, "utf-8")`, from a prototype: the same
    headers, and the payload as ``set_payload`` stores it (UTF-8 bytes as
    surrogate-escaped ASCII). Texts with lines too long for 8 bit (quoted-
    printable) or that are not valid UTF-8 go the standard way."""
    try:
        encoded = text.encode()
    except UnicodeEncodeError:
        return SafeMIMEText(text, subtype, "utf-8")
    if (
        not text
        or len(encoded) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        and max(map(len, encoded.splitlines())) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
    ):
        return SafeMIMEText(text, subtype, "utf-8")
    part = _mime_copy(_text_prototype(subtype, ascii_only=len(encoded) == len(text)))
    part.set_payload(encoded.decode("ascii", "surrogateescape"))
    return part


def _why_not_send(reminder: OutboxRow, target, facts) -> str | None:
    if not reminder.recipient.is_active:
        return "The recipient's account is no longer active."
    if target is None:
        return "What the reminder was about no longer exists."
    return reminder_kinds.spec(reminder.kind).check(reminder, target, facts)


def _targets_and_facts(rows: list[OutboxRow]) -> tuple[dict, dict]:
    """Per kind: what its reminders are about (by object id) and the facts its
    checks and mails need; a fixed number of queries per kind."""
    by_kind: dict[str, list[OutboxRow]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    targets, facts = {}, {}
    for kind, of_kind in by_kind.items():
        spec = reminder_kinds.spec(kind)
        targets[kind] = spec.load_many(r.object_id for r in of_kind)
        facts[kind] = spec.prepare(of_kind, targets[kind])
    return targets, facts


def _send_messages(prepared: list[tuple[OutboxRow, EmailMultiAlternatives]], failed: dict) -> list:
    """Send each message over one connection; a message that fails goes to
    `failed`, the others still go out. Returns the rows whose mail went out."""
    sent: list[OutboxRow] = []
    if not prepared:
        return sent
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the mail server is away: every message waits
        failed.update((row, error) for row, _message in prepared)
        return sent
    try:
        for row, message in prepared:
            try:
                connection.send_messages([message])
            except Exception as error:  # recorded on the row for a retry
                logger.warning("Reminder %s not sent", row.pk, exc_info=True)
                failed[row] = error
                _reconnect(connection)
            else:
                sent.append(row)
    finally:
        try:
            connection.close()
        except Exception:  # what was sent is sent; a failing goodbye changes nothing
            logger.warning("Closing the mail connection failed", exc_info=True)
    return sent


def _reconnect(connection) -> None:
    """After a failed message the connection may be broken: start a new one
    (or let the next message try again)."""
    try:
        connection.close()
        connection.open()
    except Exception:
        logger.warning("Reconnecting to the mail server failed", exc_info=True)


def _note_failure(reminder: Reminder | OutboxRow, error: Exception, now: datetime.datetime) -> None:
    reminder.attempts += 1
    reminder.last_error = f"{type(error).__name__}: {error}"[:1000]
    if isinstance(error, TRANSIENT_ERRORS) and reminder.attempts < MAX_ATTEMPTS:
        reminder.status = Status.PENDING
        reminder.due_at = now + retry_delay(reminder.attempts)
    else:
        reminder.status = Status.FAILED
    reminder.claimed_at = None


FAILURE_FIELDS = ["attempts", "last_error", "status", "due_at", "claimed_at"]


#: What a mail reads of its recipient (and the username, `person`'s last resort).
RECIPIENT_FIELDS = frozenset({"first_name", "last_name", "email", "is_active"})


class OutboxRow:
    """A claimed reminder as sending reads it and `_note_failure` writes it:
    what the kinds' checks and contexts read of a `Reminder` (kind, object,
    recipient, dates), made at a tenth of the cost of a model instance."""

    __slots__ = (
        "pk",
        "kind",
        "object_id",
        "recipient_id",
        "recipient",
        "for_date",
        "event_on",
        "status",
        "due_at",
        "attempts",
        "last_error",
        "claimed_at",
        #: The recipient wants this kind in the app only (`ReminderPreference`).
        "email_refused",
    )

    #: Read from the database, in this order.
    FIELDS = (
        "pk",
        "kind",
        "object_id",
        "recipient_id",
        "for_date",
        "event_on",
        "status",
        "due_at",
        "attempts",
    )

    def get_kind_display(self) -> str:
        return Reminder(kind=self.kind).get_kind_display()

    def as_reminder(self) -> Reminder:
        """A model instance with the fields `_note_failure` set (for ``bulk_update``)."""
        return Reminder(pk=self.pk, **{name: getattr(self, name) for name in FAILURE_FIELDS})


def _attnames(model, names) -> list[str]:
    """Of `names`, the model's fields, in the order ``from_db`` takes them."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in names]


def _locked_rows(reminder_ids) -> list[OutboxRow]:
    """The rows of `reminder_ids` that no other task holds, locked, in id
    order, each with its recipient (the profile with it, for `language_of`)
    and whether the recipient refuses its kind by e-mail.

    Read as values, in one query: a busy morning sends tens of thousands of
    reminders, and model instances, three per row, cost more than the rest of
    loading them. Each recipient is made once per batch, with only the fields
    a mail reads; another is read from the database on first use, as Django
    does for deferred fields.
    """
    user_model = Reminder._meta.get_field("recipient").related_model
    user_pk = user_model._meta.pk.attname
    user_fields = _attnames(user_model, RECIPIENT_FIELDS | {user_pk, user_model.USERNAME_FIELD})
    profile_fields = _attnames(UserProfile, {"id", "user_id", "language"})
    refused = ReminderPreference.objects.filter(
        user_id=OuterRef("recipient_id"), kind=OuterRef("kind"), by_email=False
    )
    locked = (
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        # By id alone, so the primary key finds them even while the table's
        # statistics still think it empty (the first busy morning).
        .filter(pk__in=list(reminder_ids))
        .order_by("pk")
        .annotate(email_refused=Exists(refused))
        .values_list(
            *OutboxRow.FIELDS,
            "email_refused",
            *(f"recipient__{name}" for name in user_fields),
            *(f"recipient__profile__{name}" for name in profile_fields),
        )
    )
    db = locked.db
    profile_of = UserProfile._meta.get_field("user").remote_field
    user_start = len(OutboxRow.FIELDS) + 1
    user_end = user_start + len(user_fields)
    user_key = user_start + user_fields.index(user_pk)
    profile_key = user_end + profile_fields.index("id")
    user_names, profile_names = frozenset(user_fields), frozenset(profile_fields)
    users, rows = {}, []
    for values in locked:
        user = users.get(values[user_key])
        if user is None:
            user = user_model.from_db(db, user_names, values[user_start:user_end])
            profile = None  # known to have none: `language_of` asks no query
            if values[profile_key] is not None:
                profile = UserProfile.from_db(db, profile_names, values[user_end:])
            profile_of.set_cached_value(user, profile)
            users[values[user_key]] = user
        row = OutboxRow()
        (
            row.pk,
            row.kind,
            row.object_id,
            row.recipient_id,
            row.for_date,
            row.event_on,
            row.status,
            row.due_at,
            row.attempts,
            row.email_refused,
        ) = values[:user_start]
        row.recipient = user
        rows.append(row)
    return rows


def send_batch(reminder_ids, *, now: datetime.datetime | None = None) -> dict[int, str]:
    """Send claimed reminders, each at most once. Returns the new status of
    each row this call handled.

    The rows stay locked while their mail goes out. A row another task holds
    is skipped (that task sends it); a row no longer ``sending`` was sent or
    handed back and is left alone. Everything is loaded, checked and rendered
    before the first mail goes out, in a fixed number of queries per kind, so a
    database error sends nothing. A mail that fails is recorded on its row for
    a retry with backoff; the others are sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = [row for row in _locked_rows(reminder_ids) if row.status == Status.SENDING]
        if not rows:
            return {}
        targets, facts = _targets_and_facts(rows)
        skipped: dict[str, list[int]] = {}
        in_app: list[OutboxRow] = []
        prepared: list[tuple[OutboxRow, EmailMultiAlternatives]] = []
        failed: dict[OutboxRow, Exception] = {}
        cache = MailCache()
        by_language: dict[str, list[OutboxRow]] = {}
        for row in rows:
            by_language.setdefault(cache.language_of(row.recipient), []).append(row)
        for language, of_language in by_language.items():
            with translation.override(language):  # once per language, not per mail
                cache.language = language
                for row in of_language:
                    target = targets[row.kind].get(row.object_id)
                    try:
                        reason = _why_not_send(row, target, facts[row.kind])
                        if reason:
                            skipped.setdefault(reason, []).append(row.pk)
                        elif row.recipient.email and not row.email_refused:
                            mail = render_mail(row, target, facts[row.kind], cache)
                            prepared.append((row, mail))
                        else:
                            in_app.append(row)
                    except DatabaseError:
                        raise  # the transaction is lost: the batch is retried, nothing was sent
                    except Exception as error:  # this reminder only: recorded, the others go on
                        logger.warning("Reminder %s not sent", row.pk, exc_info=True)
                        failed[row] = error
        cache.language = None
        prepared.sort(key=lambda item: item[0].pk)  # sent in the order of the outbox
        emailed = _send_messages(prepared, failed)
        for reason, ids in skipped.items():
            Reminder.objects.filter(pk__in=ids).update(status=Status.SKIPPED, last_error=reason)
        for sent, by_email in ((emailed, True), (in_app, False)):
            if sent:
                Reminder.objects.filter(pk__in=[row.pk for row in sent]).update(
                    status=Status.SENT,
                    emailed=by_email,
                    last_error="",
                    sent_at=now,
                    attempts=F("attempts") + 1,
                )
        for row, error in failed.items():
            _note_failure(row, error, now)
        Reminder.objects.bulk_update([row.as_reminder() for row in failed], FAILURE_FIELDS)
    outcome = {pk: Status.SKIPPED for ids in skipped.values() for pk in ids}
    outcome.update((row.pk, Status.SENT) for row in emailed + in_app)
    outcome.update((row.pk, row.status) for row in failed)
    return outcome


def send_reminder(reminder_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one claimed reminder, at most once (a batch of one). Returns the row's status."""
    outcome = send_batch([reminder_id], now=now)
    if reminder_id in outcome:
        return outcome[reminder_id]
    # Sent already, handed back to the sweep, or being sent by another task.
    status = Reminder.objects.filter(pk=reminder_id).values_list("status", flat=True).first()
    return status or "missing"


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff, bounded: 1, 2, 4 … minutes, at most an hour."""
    seconds = RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, RETRY_MAX_SECONDS))


def record_failures(reminder_ids, error: Exception, *, now=None) -> dict[int, str]:
    """Note a failed attempt on each row still ``sending``: back to the outbox
    for a later try, or failed. Rows another task holds are that task's."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Reminder.objects.select_for_update(skip_locked=True).filter(
                pk__in=list(reminder_ids), status=Status.SENDING
            )
        )
        for row in rows:
            _note_failure(row, error, now)
        Reminder.objects.bulk_update(rows, FAILURE_FIELDS)
    return {row.pk: row.status for row in rows}


def record_failure(reminder_id: int, error: Exception, *, now=None) -> str:
    """Note a failed attempt: back to the outbox for a later try, or failed."""
    outcome = record_failures([reminder_id], error, now=now)
    if reminder_id in outcome:
        return outcome[reminder_id]
    status = Reminder.objects.filter(pk=reminder_id).values_list("status", flat=True).first()
    return status or "missing"


def deliver_batch(reminder_ids, *, now: datetime.datetime | None = None) -> dict[int, str]:
    """What the send task does: send the batch; when the batch as a whole fails
    (the database went away), record the failure on every row for a retry."""
    try:
        return send_batch(reminder_ids, now=now)
    except Exception as error:  # every failure is recorded on the rows, none is lost
        logger.warning("%d reminder(s) not sent", len(reminder_ids), exc_info=True)
        return record_failures(reminder_ids, error, now=now)


def deliver(reminder_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one reminder (the single-row task, and resends in tests)."""
    outcome = deliver_batch([reminder_id], now=now)
    if reminder_id in outcome:
        return outcome[reminder_id]
    status = Reminder.objects.filter(pk=reminder_id).values_list("status", flat=True).first()
    return status or "missing"


# --- writes from the pages ----------------------------------------------------------------------


def reminder_resend(*, actor, reminder: Reminder) -> Reminder:
    """Send a reminder again: back to the outbox; the next sweep sends it."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if reminder.status in (Status.PENDING, Status.SENDING):
            raise ValidationError(_("This reminder is already waiting to be sent."))
        reminder.status, reminder.due_at = Status.PENDING, timezone.now()
        reminder.attempts, reminder.last_error = 0, ""
        reminder.claimed_at = reminder.sent_at = None
        reminder.emailed = False
        reminder.save()
    logger.info("Reminder %s queued again by user %s", reminder.pk, actor.pk)
    return reminder


def reminders_mark_read(*, actor, reminders: QuerySet) -> int:
    return reminders.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def preferences_for(user) -> dict[str, bool]:
    chosen = dict(ReminderPreference.objects.filter(user=user).values_list("kind", "by_email"))
    return {kind: chosen.get(kind, True) for kind in ReminderKind.values}


@transaction.atomic
def preferences_save(*, actor, language: str, by_email: dict[str, bool]) -> None:
    UserProfile.objects.update_or_create(user=actor, defaults={"language": language})
    for kind in ReminderKind.values:
        ReminderPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"by_email": bool(by_email.get(kind))}
        )


# --- reads --------------------------------------------------------------------------------------


def reminders_for_user(user, today: datetime.date | None = None) -> QuerySet[Reminder]:
    """The user's own reminders in the app: every one due, sent by e-mail or not,
    except those that turned out not to apply."""
    today = today or timezone.localdate()
    return (
        Reminder.objects.filter(recipient=user, for_date__lte=today)
        .exclude(status=Status.SKIPPED)
        .order_by("-for_date", "-due_at", "-pk")
    )


def reminders_for_admin(user) -> QuerySet[Reminder]:
    """Reminders to current members of the organisations `user` administers.
    Nothing about children: the page shows kind, recipient, date and status."""
    from pilots.models import Membership, Role

    administered = (
        Membership.objects.current()
        .filter(user=user, role=Role.ORGANISATION_ADMIN)
        .values("organisation")
    )
    members = Membership.objects.current().filter(organisation__in=administered).values("user")
    return Reminder.objects.filter(recipient__in=members).order_by("-due_at", "-pk")


def status_counts(reminders: QuerySet) -> dict[str, int]:
    counts = dict(reminders.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in Status.values}


def link_for(reminder: Reminder) -> str | None:
    """The page a reminder is about (its view decides who may open it)."""
    kind = reminder_kinds.spec(reminder.kind)
    target = kind.load(reminder.object_id)
    return kind.link(target) if target is not None else None
