"""The national data generator: the right amounts, consistent, and the grants the
access policy would give (a PM sees the cases of their own groups and no more)."""

import pytest
from django.core.management import CommandError, call_command

from alert4you.national_data import NationalData, Scale
from casework.models import Case, Child, Concern
from casework.selectors import cases_for_user
from coaching.models import Visit
from parents.models import Consent
from pilots.models import Membership, Role

SMALL = Scale().times(0.004)


@pytest.fixture
def generated(db):
    return NationalData(SMALL, seed=7).run()


def test_writes_the_requested_amounts(generated):
    assert Child.objects.count() == SMALL.children
    assert Case.objects.count() == SMALL.cases
    assert Concern.objects.count() == SMALL.concerns
    assert Consent.objects.count() == SMALL.consents
    assert Visit.objects.count() >= SMALL.visits * 0.9
    assert Case.history.count() == SMALL.cases  # history rows for the case pages
    assert generated["case grants"] > 0


def test_a_pm_sees_exactly_the_cases_of_their_own_groups(generated):
    # By pk: the organisation name and role (the default order) leave many PMs tied.
    pm = Membership.objects.filter(role=Role.PEDAGOGICAL_STAFF).order_by("pk").first().user
    own_groups = set(Membership.objects.filter(user=pm).values_list("groups__id", flat=True))
    expected = set(Case.objects.filter(child__group__in=own_groups).values_list("id", flat=True))
    assert expected, "the sample PM should have cases"
    assert set(cases_for_user(pm).values_list("id", flat=True)) == expected


def test_the_command_refuses_a_database_with_children(generated):
    with pytest.raises(CommandError):
        call_command("generate_national_data", "--scale", "0.001")
