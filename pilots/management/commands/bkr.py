from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pilots.ratio import LOCATION, required_staff_after_school, required_staff_day_care


class Command(BaseCommand):
    help = (
        "Required pedagogical staff (beroepskracht-kindratio): N0 N1 N2 N3 for a day-care "
        "group, or --bso N_4_7 N_7_PLUS for after-school care."
    )

    def add_arguments(self, parser):
        parser.add_argument("counts", nargs="+", type=int)
        parser.add_argument("--bso", action="store_true", help="after-school care: N_4_7 N_7_PLUS")
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default today)")

    def handle(self, *args, **options):
        try:
            on = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"invalid --date: {options['date']} (expected YYYY-MM-DD)") from exc
        counts = options["counts"]
        if any(n < 0 for n in counts):
            raise CommandError("counts must be non-negative")
        if options["bso"]:
            if len(counts) != 2:
                raise CommandError(f"--bso needs 2 counts: N_4_7 N_7_PLUS (got {len(counts)})")
            result = required_staff_after_school(*counts, on=on)
        else:
            if len(counts) != 4:
                raise CommandError(f"day care needs 4 counts: N0 N1 N2 N3 (got {len(counts)})")
            result = required_staff_day_care(*counts, on=on)
        if not result.allowed:
            self.stdout.write(f"not allowed: {result.reason}")
        elif result.scope == LOCATION:
            self.stdout.write(f"{result.staff} (per location)")
        else:
            self.stdout.write(str(result.staff))
