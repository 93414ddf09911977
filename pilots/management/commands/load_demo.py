"""`manage.py load_demo`: the demo data and the demo logins, safe to run again.

`make run` calls it after every migrate. It only loads in demo mode
(ALERT4YOU_DEMO): the demo logins share a published password, and one of them
is a superuser, so they must never reach a real installation.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from alert4you import access_policy
from casework.demo import load_demo_children
from coaching.demo import load_demo_coaching
from pilots.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load the Alert4you demo data and demo logins (demo mode only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            self.stdout.write(
                self.style.WARNING(
                    _("Demo mode is off (set ALERT4YOU_DEMO=true): no demo data loaded.")
                )
            )
            return
        summary = load_demo_data(stdout=self.stdout)
        # The structure was written in bulk; bring the grants in line before
        # the children's cases are made through the ordinary services.
        access_policy.sync_all()
        summary.update(load_demo_children())
        summary.update(load_demo_coaching())
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data: %(pilots)d pilots, %(organisations)d organisations, "
                    "%(municipalities)d municipalities, %(locations)d locations, "
                    "%(groups)d groups, %(users)d users, %(children)d children "
                    "(%(created)d rows created, %(updated)d updated)."
                )
                % summary
            )
        )
        self.write_logins()

    def write_logins(self):
        headers = (_("Username"), _("Role"), _("Password"))
        rows = [(account.username, str(account.role), DEMO_PASSWORD) for account in DEMO_ACCOUNTS]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

        def line(cells):
            padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            return "  ".join(padded).rstrip()

        self.stdout.write("")
        self.stdout.write(_("Demo logins:"))
        self.stdout.write(self.style.MIGRATE_HEADING(line(headers)))
        for row in rows:
            self.stdout.write(line(row))
