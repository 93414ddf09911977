from django.core.management.base import BaseCommand

from alert4you import access_policy


class Command(BaseCommand):
    help = "Rebuild every object permission and mirrored staff group from the data."

    def handle(self, *args, **options):
        counts = access_policy.rebuild_all()
        self.stdout.write(
            self.style.SUCCESS(
                "Rebuilt grants for {cases} cases and {users} staff users: "
                "{group_grants} group grants, {user_grants} personal grants.".format(**counts)
            )
        )
