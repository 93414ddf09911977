"""National-scale synthetic data for benchmarks: about 80 municipalities, 1,000
locations and 50,000 children by default, written in bulk with a fixed seed.

Every row is made up (names from short Dutch name lists, texts from templates),
so the data set can be generated anywhere and shared. The shape follows the
programme: one pilot per municipality, childcare organisations with several
locations, three groups per location, a youth-care coach per location with a
fortnightly rhythm, cases for about three in ten children, and a year of
coaching requests from PMs to their location's coach (most dealt with).

Rows go in with `bulk_create` in batches; history rows for the records a case
page shows (cases, concerns, plans, consents) are written in bulk too, so the
history pages have something to read. Object permissions are derived at the
end by the access policy's full sync, the same code that serves a bulk import.
"""

from __future__ import annotations

from django.db import connection, transaction

from alert4you import access_policy

from .base import PASSWORD, USERNAME_PREFIX, Scale
from .coaching_requests import RequestSteps
from .records import RecordSteps
from .structure import StructureSteps

__all__ = ["PASSWORD", "USERNAME_PREFIX", "NationalData", "Scale"]


class NationalData(StructureSteps, RecordSteps, RequestSteps):
    """Writes one national data set. `progress(step, done, total)` is called as it goes."""

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self._organisations()
            self._staff()
            self._children_and_cases()
            self._case_content()
            self._parents()
            self._coaching()
            self._coaching_requests()
        # Grants in their own transactions (the policy's full sync works in batches).
        self.progress("permissions", 0, 1)
        result = access_policy.sync_all()
        self.progress("permissions", 1, 1)
        self.counts["case grants"] = result["group_grants"] + result["user_grants"]
        # Fresh statistics: without them the planner picks nested loops for the big
        # joins until autovacuum (if it runs at all) gets round to these tables.
        self.progress("statistics", 0, 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.progress("statistics", 1, 1)
        return self.counts
