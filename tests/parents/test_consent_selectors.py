"""The consent reads the register and the list of expiring consents rest on: the
same rows as the queryset the reminders use, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parents import selectors
from parents.models import Consent, Scope
from tests.conftest import add_parents, grant_consent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate  # called each time: a run may pass midnight
DAY = datetime.timedelta(days=1)


@pytest.fixture
def family(cases):
    w = cases
    w.mother, w.father = add_parents(w.child_a, actor=w.pm_a)
    add_parents(w.child_b, actor=w.pm_b)
    return w


def _expiring(w):
    """Consents of both children: some end within a month, some were replaced."""
    a, b = w.child_a, w.child_b
    long_ago = TODAY() - 300 * DAY
    kept = [
        grant_consent(
            a,
            actor=w.pm_a,
            scope=Scope.SHARE_WITH_ORGANISATION,
            organisation=w.school,
            decided_on=long_ago,
            valid_until=TODAY() + 10 * DAY,
        ),
        grant_consent(
            b,
            actor=w.pm_b,
            scope=Scope.OBSERVATION_BY_COACH,
            decided_on=long_ago,
            valid_until=TODAY(),
        ),
        grant_consent(
            b,
            actor=w.pm_b,
            scope=Scope.MULTIDISCIPLINARY_MEETING,
            decided_on=long_ago,
            valid_until=TODAY() + 31 * DAY,
        ),
    ]
    # Renewed for another organisation only: the school's consent still ends.
    grant_consent(
        a,
        actor=w.pm_a,
        scope=Scope.SHARE_WITH_ORGANISATION,
        organisation=w.youth_care,
        decided_on=long_ago,
        valid_until=TODAY() + 5 * DAY,
    )
    grant_consent(a, actor=w.pm_a, scope=Scope.SHARE_WITH_ORGANISATION, organisation=w.youth_care)
    # Replaced on the same day, recorded later: the later record counts.
    same_day = TODAY() - 20 * DAY
    grant_consent(
        a, actor=w.pm_a, scope=Scope.OBSERVATION_BY_COACH, decided_on=same_day, valid_until=TODAY()
    )
    grant_consent(
        a,
        actor=w.pm_a,
        scope=Scope.OBSERVATION_BY_COACH,
        decided_on=same_day,
        valid_until=TODAY() + 200 * DAY,
    )
    # Ended yesterday, or ends after the month: not listed.
    grant_consent(
        a,
        actor=w.pm_a,
        scope=Scope.OBSERVATION_BY_EXTERNAL_EXPERT,
        decided_on=long_ago,
        valid_until=TODAY() - DAY,
    )
    grant_consent(
        b,
        actor=w.pm_b,
        scope=Scope.SHARE_WITH_ORGANISATION,
        organisation=w.school,
        decided_on=long_ago,
        valid_until=TODAY() + 32 * DAY,
    )
    return kept


def test_the_expiring_list_reads_the_rows_the_reminders_read_in_their_order(family):
    w = family
    kept = _expiring(w)
    child_ids = [w.child_a.pk, w.child_b.pk]
    reminders = selectors.consents_expiring_for_children(child_ids, on=TODAY()).order_by(
        "valid_until", "child__first_name", "pk"
    )
    rows = selectors.ExpiringConsents(child_ids, on=TODAY())[0:50]
    assert [r.pk for r in rows] == [c.pk for c in reminders] == [kept[1].pk, kept[0].pk, kept[2].pk]
    coach, school, meeting = rows
    assert (coach.child_full_name, coach.group_name, coach.location_name) == (
        "Ayoub Proefkind",
        w.group_b.name,
        w.group_b.location.name,
    )
    assert coach.days_left == 0 and coach.organisation_uuid is None
    assert coach.get_scope_display() == Scope.OBSERVATION_BY_COACH.label
    assert (school.child_uuid, school.organisation_uuid, school.organisation_name) == (
        w.child_a.uuid,
        w.school.uuid,
        w.school.name,
    )
    assert (school.uuid, school.days_left, meeting.days_left) == (kept[0].uuid, 10, 31)


def test_the_expiring_list_is_read_a_page_at_a_time(family, django_assert_num_queries):
    w = family
    kept = _expiring(w)
    rows = selectors.ExpiringConsents([w.child_a.pk, w.child_b.pk], on=TODAY())
    with django_assert_num_queries(1):
        assert [r.pk for r in rows[1:3]] == [kept[0].pk, kept[2].pk]
    with django_assert_num_queries(0):
        assert rows[3:3] == [] and selectors.ExpiringConsents([], on=TODAY())[0:50] == []
    with pytest.raises(TypeError):
        rows[0]


def test_the_register_names_the_givers_and_the_recorder_in_one_query(family):
    w = family
    refusal = grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope=Scope.SHARE_WITH_ORGANISATION,
        organisation=w.school,
        decision="refused",
        given_by=[w.father],
        decided_on=TODAY() - 3 * DAY,
    )
    grant_consent(
        w.child_a, actor=w.pm_a, scope=Scope.SHARE_WITH_ORGANISATION, organisation=w.school
    )
    with CaptureQueriesContext(connection) as queries:
        register = selectors.consent_register(w.child_a, TODAY())
    assert len(queries) == 1
    school = next(row for row in register if row.organisation == w.school)
    assert school.state == "valid" and school.consent.givers == "Moeder Testkind en Vader Testkind"
    assert school.consent.recorded_by.pk == w.pm_a.pk
    assert school.consent.organisation.name == w.school.name
    assert [(c.pk, c.givers) for c in school.history] == [(refusal.pk, "Vader Testkind")]
    stored = Consent.objects.get(pk=school.consent.pk)
    assert (school.consent.decided_on, school.consent.valid_until, school.consent.method) == (
        stored.decided_on,
        stored.valid_until,
        stored.method,
    )
    with CaptureQueriesContext(connection) as queries:
        panel = selectors.consent_register(w.child_a, TODAY(), with_givers=False)
    assert len(queries) == 1
    assert [(r.scope, r.organisation, r.state) for r in panel] == [
        (r.scope, r.organisation, r.state) for r in register
    ]
