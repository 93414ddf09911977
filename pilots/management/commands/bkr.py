from datetime import date

from django.core.management.base import BaseCommand, CommandError

from pilots.ratio import required_staff_after_school, required_staff_day_care


class Command(BaseCommand):
    help = "Required pedagogical staff (beroepskracht-kindratio) for a group."

    def add_arguments(self, parser):
        parser.add_argument("counts", nargs="+", type=int)
        parser.add_argument("--bso", action="store_true", help="after-school care: N_4_7 N_7_PLUS")
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default today)")

    def handle(self, *args, **options):
        try:
            on = date.fromisoformat(options["date"]) if options["date"] else date.today()
        except ValueError as exc:
            raise CommandError(f"invalid --date: {options['date']}") from exc
        counts = options["counts"]
        if any(n < 0 for n in counts):
            raise CommandError("counts must be non-negative")
        if options["bso"]:
            if len(counts) != 2:
                raise CommandError("--bso needs 2 counts: N_4_7 N_7_PLUS")
            result = required_staff_after_school(*counts, on=on)
        else:
            if len(counts) != 4:
                raise CommandError("day care needs 4 counts: N0 N1 N2 N3")
            result = required_staff_day_care(*counts, on=on)
        if result.allowed:
            self.stdout.write(str(result.staff))
        else:
            self.stdout.write(f"not allowed: {result.reason}")
