"""One test per consent rule, as Dutch law has them for children up to 12 (and from 12)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parents import consent_rules, services
from parents.models import Consent, Guardian
from tests.conftest import add_parents, grant_consent

TODAY = timezone.localdate  # called each time: a run may pass midnight


@pytest.fixture
def family(cases):
    cases.mother, cases.father = add_parents(cases.child_a, actor=cases.pm_a)
    return cases


def _record(w, givers, **overrides):
    fields = {
        "actor": w.pm_a,
        "child": w.child_a,
        "scope": "observation_by_coach",
        "decision": "granted",
        "given_by": givers,
        "decided_on": TODAY(),
        "method": "paper",
    }
    fields.update(overrides)
    return services.consent_record(**fields)


def test_joint_authority_one_parent_is_not_enough_and_the_message_says_who_is_missing(family):
    w = family
    with pytest.raises(ValidationError) as refused:
        _record(w, [w.mother])
    assert "Vader" in " ".join(refused.value.messages)
    assert Consent.objects.count() == 0
    assert _record(w, [w.mother, w.father]).decision == "granted"


def test_a_parent_without_authority_cannot_consent(family):
    w = family
    stepfather = services.guardian_save(
        actor=w.pm_a, child=w.child_a, first_name="Stief", last_name="Vader", relation="carer"
    )
    problems = consent_rules.only_authority_holders_consent([stepfather])
    assert problems and "Stief Vader" in problems[0]
    with pytest.raises(ValidationError):
        _record(w, [w.mother, w.father, stepfather])


def test_foster_parents_hold_no_authority_unless_appointed_guardian(family):
    w = family
    with pytest.raises(ValidationError, match="benoemde voogd"):
        services.guardian_save(
            actor=w.pm_a,
            child=w.child_a,
            first_name="Pleeg",
            last_name="Moeder",
            relation="foster_parent",
            has_authority=True,
        )
    guardian = services.guardian_save(
        actor=w.pm_a,
        child=w.child_a,
        first_name="Pleeg",
        last_name="Moeder",
        relation="appointed_guardian",
        has_authority=True,
        authority_checked_how="court_order",
    )
    assert consent_rules.only_authority_holders_consent([guardian]) == []


def test_a_parents_own_word_about_authority_is_not_proof(cases):
    w = cases
    mother, father = add_parents(w.child_a, actor=w.pm_a, authority_checked_how="parent_statement")
    assert len(consent_rules.authority_is_proven([mother, father])) == 2
    with pytest.raises(ValidationError, match="geen bewijs"):
        _record(w, [mother, father])


def test_authority_must_be_recorded_before_anyone_can_consent(cases):
    assert consent_rules.someone_with_authority_is_known([]) != []


def test_from_twelve_the_childs_own_consent_is_needed_too(family):
    w = family
    w.child_a.date_of_birth = TODAY().replace(year=TODAY().year - 12) - datetime.timedelta(days=1)
    w.child_a.save()
    with pytest.raises(ValidationError, match="12"):
        _record(w, [w.mother, w.father])
    assert _record(w, [w.mother, w.father], child_agreed=True).decision == "granted"


def test_a_consent_without_the_childs_agreement_stops_counting_at_twelve(family):
    w = family
    w.child_a.date_of_birth = TODAY().replace(year=TODAY().year - 12) + datetime.timedelta(days=10)
    w.child_a.save()
    consent = _record(w, [w.mother, w.father])
    assert consent_rules.consent_is_valid(consent, TODAY())
    assert not consent_rules.consent_is_valid(consent, TODAY() + datetime.timedelta(days=10))


def test_supervision_order_allows_information_without_consent_with_a_legal_ground(family):
    w = family
    gi = w.youth_care
    with pytest.raises(ValidationError, match="wettelijke grondslag"):
        services.sharing_on_legal_ground(
            actor=w.pm_a, child=w.child_a, organisation=gi, legal_ground=" ", decided_on=TODAY()
        )
    record = services.sharing_on_legal_ground(
        actor=w.pm_a,
        child=w.child_a,
        organisation=gi,
        legal_ground="Ondertoezichtstelling, art. 1:255 BW; art. 7.3.11 Jeugdwet",
        decided_on=TODAY(),
    )
    assert record.decision == "legal_ground" and record.given_by.count() == 0
    assert consent_rules.consent_is_valid(record, TODAY())


def test_a_withdrawal_ends_a_consent(family):
    w = family
    consent = _record(w, [w.mother, w.father])
    services.consent_withdraw(actor=w.pm_a, consent=consent)
    consent.refresh_from_db()
    assert consent.decision == "withdrawn" and consent.withdrawn_on == TODAY()
    assert not consent_rules.consent_is_valid(consent, TODAY())


def test_expiry_ends_a_consent(family):
    w = family
    consent = _record(
        w,
        [w.mother, w.father],
        decided_on=TODAY() - datetime.timedelta(days=30),
        valid_until=TODAY() - datetime.timedelta(days=1),
    )
    assert not consent_rules.consent_is_valid(consent, TODAY())
    assert consent_rules.consent_is_valid(consent, TODAY() - datetime.timedelta(days=1))


def test_a_later_refusal_overrides_an_earlier_grant(family):
    from parents.selectors import valid_consent_scopes_for

    w = family
    _record(w, [w.mother, w.father], decided_on=TODAY() - datetime.timedelta(days=3))
    assert valid_consent_scopes_for([w.child_a])[w.child_a.id] == {("observation_by_coach", None)}
    _record(w, [w.mother], decision="refused")
    assert valid_consent_scopes_for([w.child_a])[w.child_a.id] == set()


def test_only_staff_caring_for_the_child_record_consents(family):
    from django.core.exceptions import PermissionDenied

    w = family
    with pytest.raises(PermissionDenied):
        grant_consent(w.child_a, actor=w.pm_b, scope="observation_by_coach")
    assert Guardian.objects.filter(child=w.child_a).count() == 2
