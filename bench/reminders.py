"""The reminder sweep on a busy day: 5,000 visits tomorrow, each reminding its
coach and the group's staff. Times planning the reminders (the outbox rows) and
sending every one of them to the locmem mail backend — claimed as the sweep
claims them and sent in batches as the send task sends them
(`reminders.deliver_batch`) — and counts the queries per reminder. Everything
happens in one transaction that is rolled back, so the run can be repeated on
the same data.

The mail backend is Django's locmem backend (``mail_backend`` in the output):
it builds each message's MIME form, as any backend does, and keeps a copy in
``mail.outbox``, which is counted and emptied after each batch, as a worker
running the batch's task keeps nothing of what it sent. The file backend costs
more per message (it also serialises and writes each one), so locmem is the
closer measure of our own code.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.reminders [--visits 5000]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import time
from pathlib import Path

HERE = Path(__file__).parent


class _Rollback(Exception):
    pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=5000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import transaction
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from alert4you import reminders
    from alert4you.models import Reminder
    from coaching.models import CoachAssignment, Visit

    from .measure import timed_sql

    setup_test_environment()  # e-mail goes to mail.outbox
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    figures = {}
    try:
        with transaction.atomic():
            assignments = list(
                CoachAssignment.objects.select_related("location").prefetch_related(
                    "location__groups"
                )
            )
            tz = timezone.get_current_timezone()
            visits = []
            for n in range(args.visits):
                a = assignments[n % len(assignments)]
                starts = datetime.datetime.combine(tomorrow, datetime.time(8 + n % 8, 0), tzinfo=tz)
                visits.append(
                    Visit(
                        coach_id=a.coach_id,
                        location_id=a.location_id,
                        starts_at=starts,
                        ends_at=starts + datetime.timedelta(hours=1),
                    )
                )
            visits = Visit.objects.bulk_create(visits)
            groups_of = {a.location_id: list(a.location.groups.all()) for a in assignments}
            Visit.groups.through.objects.bulk_create(
                Visit.groups.through(visit_id=v.pk, group_id=g.pk)
                for v in visits
                for g in groups_of[v.location_id][:1]
            )
            before = Reminder.objects.count()
            with timed_sql() as sql:
                started = time.perf_counter()
                planned = reminders.plan_reminders(on=timezone.localdate())
                plan_seconds = time.perf_counter() - started
            plan_queries = sql.queries
            far = timezone.now() + datetime.timedelta(days=2)
            sent = handled = emails = 0
            with timed_sql() as sql:
                started = time.perf_counter()
                while ids := reminders.claim_due(far):
                    handled += len(ids)
                    for start in range(0, len(ids), reminders.SEND_BATCH):
                        batch = ids[start : start + reminders.SEND_BATCH]
                        outcome = reminders.deliver_batch(batch, now=far)
                        sent += sum(status == Reminder.Status.SENT for status in outcome.values())
                        # Each batch is a task of its own in a worker, which keeps
                        # nothing of what it sent: count the outbox and empty it
                        # (kept whole, 18,000 messages made every garbage
                        # collection of the rest of the run slower).
                        emails += len(mail.outbox)
                        mail.outbox.clear()
                send_seconds = time.perf_counter() - started
            figures = {
                "visits": args.visits,
                "mail_backend": settings.EMAIL_BACKEND,
                "reminders_planned": planned,
                "reminders_in_outbox_before": before,
                "reminders_sent": sent,
                "reminders_not_sent": Reminder.objects.exclude(status=Reminder.Status.SENT).count(),
                "emails": emails,
                "plan_seconds": round(plan_seconds, 2),
                "plan_queries": plan_queries,
                "send_seconds": round(send_seconds, 2),
                "queries_per_reminder": round(sql.queries / max(handled, 1), 2),
                "total_seconds": round(plan_seconds + send_seconds, 2),
            }
            raise _Rollback
    except _Rollback:
        pass
    (HERE / "reminders.json").write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
