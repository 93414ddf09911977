"""Erase closed cases past their retention period (see `casework.retention`)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from casework import retention


class Command(BaseCommand):
    help = (
        "Erase closed cases whose retention period has passed (keeping anonymous stubs). "
        "Prints counts per organisation, never child data. Every run is recorded in the "
        "audit log, dry runs too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="only count what is due; change nothing"
        )
        parser.add_argument(
            "--today", default=None, help="YYYY-MM-DD: act as if it were this day (default today)"
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as exc:
            raise CommandError(
                f"invalid --today: {options['today']} (expected YYYY-MM-DD)"
            ) from exc
        dry_run = options["dry_run"]
        run = retention.erase_expired_cases(
            today=today, dry_run=dry_run, source="manage.py erase_expired_cases"
        )
        verb = "would be erased" if dry_run else "due"
        for org_id, count in sorted(run.due.items()):
            organisation = run.organisations.get(org_id)
            if organisation is None:
                label = f"organisation {org_id}"
            else:
                label = (
                    f"{organisation.name} ({organisation.kind}, {run.term_of(organisation)} years)"
                )
            self.stdout.write(f"{label}: {count} case(s) {verb}")
        if dry_run:
            self.stdout.write(
                f"Dry run on {run.today}: {run.due_total} case(s) due; nothing changed."
            )
        else:
            self.stdout.write(
                f"Run on {run.today}: erased {run.erased} of {run.due_total} due case(s), "
                f"{run.failed} failed."
            )
        if run.failed:
            raise CommandError(f"{run.failed} case(s) could not be erased; see the log.")
