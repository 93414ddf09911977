"""Import a CSV file as the platform operator: any organisation, all rows or none."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from pilots.imports import KINDS, import_csv
from pilots.models import Organisation


class Command(BaseCommand):
    help = (
        "Import organisations, locations, groups or staff from a CSV file. Every row is "
        "checked first; with any error nothing is saved. Importing again updates."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="What the file contains.")
        parser.add_argument("file", help="Path to the CSV file (UTF-8, ',' or ';').")
        parser.add_argument(
            "--organisation",
            metavar="NAME",
            help="Accept only rows of this organisation, as an organisation admin would.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )

    def handle(self, *args, kind, file, organisation=None, dry_run=False, **options):
        scope = None
        if organisation:
            try:
                scope = Organisation.objects.get(name=organisation)
            except Organisation.DoesNotExist:
                raise CommandError(f"No organisation is called {organisation!r}.") from None
        try:
            with open(file, "rb") as handle:
                result = import_csv(
                    kind=kind, file=handle, actor=None, organisation=scope, dry_run=dry_run
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        if not result.ok:
            lines = [str(error) for error in result.errors]
            count = len(result.errors)
            lines.append(
                ngettext("%d error; nothing was saved.", "%d errors; nothing was saved.", count)
                % count
            )
            raise CommandError("\n".join(lines))
        self.stdout.write(self.style.SUCCESS(result.summary()))
