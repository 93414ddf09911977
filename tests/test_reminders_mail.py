"""What the cheap paths of the reminder sweep build is what the standard ones
build: the MIME form of a reminder's e-mail, the outbox rows planned in one
INSERT, the pages reversed for a UUID, and the visits' group names."""

import datetime
import re
import uuid

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from alert4you import reminder_kinds, reminders
from alert4you.models import Reminder
from alert4you.reminder_kinds.common import SEND_HOUR, safe_reverse, start_of, uuid_reverse
from tests.test_reminders import DAY, make_visit, today

LONG_LINE = "lang " * 250  # beyond the 998 octets of a mail line: quoted-printable


def _mails(cls):
    """The same mails built as `cls`: ASCII and not, long lines, long subjects,
    names to encode, and shapes a reminder never has (they go Django's way)."""
    cases = [
        ("Visit tomorrow", "Dear Sam,\nSee you.\n", "<p>Dear Sam</p>", "sam@example.org", {}),
        (
            "Bezoek morgen in Één & Ander – vrijdag",
            "Beste Zoë,\n“Mijn herinneringen”\n",
            "<p>Beste Zo&euml;, café</p>",
            "zoe@example.org",
            {},
        ),
        ("Long lines", f"{LONG_LINE}\n", f"<p>{LONG_LINE}é</p>", "a@example.org", {}),
        ("A subject " * 12, "Text", "<p>HTML</p>", "Zoë <zoe@example.org>", {}),
        ("Own date", "Text", "<p>HTML</p>", "a@example.org", {"Date": "Mon, 1 Jan 2024"}),
        ("Own To", "Text", "<p>HTML</p>", "a@example.org", {"To": "b@example.org"}),
        ("Copy", "Text", "<p>HTML</p>", "a@example.org", {"Cc": "c@example.org"}),
        ("No text", "", "<p>HTML</p>", "a@example.org", {}),
    ]
    mails = []
    for subject, body, html, to, headers in cases:
        mail = cls(
            subject=subject,
            body=body,
            from_email="Alert4you <noreply@alert4you.example>",
            to=[to],
            headers={"Content-Language": "nl", "Auto-Submitted": "auto-generated", **headers},
        )
        mail.attach_alternative(html, "text/html")
        mails.append(mail)
    with_attachment = cls(subject="Attached", body="Text", to=["a@example.org"])
    with_attachment.attach_alternative("<p>HTML</p>", "text/html")
    with_attachment.attach("notes.txt", "Notes", "text/plain")
    return [*mails, with_attachment]


def _state(message) -> dict:
    """Everything a MIME message holds but its date, message id and boundary."""
    state = dict(vars(message))
    state["_headers"] = [h for h in state["_headers"] if h[0] not in ("Date", "Message-ID")]
    if isinstance(state["_payload"], list):
        state["_payload"] = [_state(part) for part in state["_payload"]]
    return {"type": type(message), "payload type": type(state["_payload"]), **state}


def _bytes(message) -> bytes:
    flat = re.sub(rb"={15}\d+==", b"BOUNDARY", message.as_bytes(linesep="\r\n"))
    return re.sub(rb"^(Date|Message-ID): .*$", b"", flat, flags=re.MULTILINE)


def test_a_reminder_mail_is_the_mime_message_django_builds():
    for ours, django_s in zip(
        _mails(reminders.ReminderMail), _mails(EmailMultiAlternatives), strict=True
    ):
        mine, standard = ours.message(), django_s.message()
        assert _state(mine) == _state(standard), ours.subject
        assert _bytes(mine) == _bytes(standard), ours.subject
        assert mine["Date"] and mine["Message-ID"] != standard["Message-ID"]


def test_each_reminder_mail_gets_its_own_headers_and_parts():
    first, second = _mails(reminders.ReminderMail)[:2]
    one, other = first.message(), second.message()
    one["X-Test"] = "only here"
    assert other["X-Test"] is None and second.message()["X-Test"] is None
    assert one.get_payload()[0] is not other.get_payload()[0]
    assert one.get_payload()[0].get_payload() != other.get_payload()[0].get_payload()


def test_a_page_reversed_for_a_uuid_is_the_page_reverse_gives():
    for _ in range(3):
        key = uuid.uuid4()
        for language in ("nl", "en"):
            with translation.override(language):
                for name, kwarg in (
                    ("coaching:visit-detail", "visit_uuid"),
                    ("parents:child-consents", "child_uuid"),
                    ("parents:conversation-detail", "conversation_uuid"),
                    ("casework:plan-detail", "case_uuid"),
                ):
                    expected = reverse(name, kwargs={kwarg: key})
                    assert uuid_reverse(name, **{kwarg: key}) == expected
                    assert uuid_reverse(name, **{kwarg: str(key)}) == expected
    with pytest.raises(NoReverseMatch):
        uuid_reverse("coaching:no-such-page", visit_uuid=uuid.uuid4())
    assert safe_reverse("coaching:no-such-page", visit_uuid=uuid.uuid4()) == reverse(
        "reminders:reminder-list"
    )


def test_planned_rows_take_every_default_of_the_model(world):
    make_visit(world, today() + DAY)
    assert reminders.plan_reminders(today()) == 3
    rows = list(Reminder.objects.all())
    made = Reminder()
    assert len({row.uuid for row in rows}) == 3
    for row in rows:
        assert row.kind == "visit_tomorrow" and row.for_date == today()
        assert row.event_on == today() + DAY
        assert row.due_at == start_of(today()) + datetime.timedelta(hours=SEND_HOUR)
        assert (row.status, row.attempts, row.last_error, row.emailed) == (
            made.status,
            made.attempts,
            made.last_error,
            made.emailed,
        )
        assert row.claimed_at is row.sent_at is row.read_at is None
        assert row.created_at is not None


def test_visit_facts_name_the_groups_in_the_groups_own_order(world):
    visit = make_visit(world, today() + DAY, groups=[world.group_b, world.group_a])
    bare = make_visit(world, today() + DAY, groups=[world.group_a])
    bare.groups.clear()
    spec = reminder_kinds.spec("visit_tomorrow")
    targets = spec.load_many([visit.pk, bare.pk])
    facts = spec.prepare([], targets)
    assert facts.group_names[visit.pk] == [g.name for g in visit.groups.all()]
    assert facts.groups_of[visit.pk] == [g.pk for g in visit.groups.all()]
    assert facts.group_names[bare.pk] == [] and facts.groups_of[bare.pk] == []
