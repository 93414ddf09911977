"""Every consent scope × state × organisation: who may join the case team and who
sees the case is exactly what the rules say, and a withdrawal ends access at once.

The people from outside the child's organisation are the school user (OBS De
Vlinder), the coach (youth care) and an external expert. Each scope opens the
case to at most one of them; a multidisciplinary meeting opens it to no one.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casework import selectors as case_selectors
from casework import services as case_services
from casework.models import CaseTeamMember
from parents import services
from parents.models import Consent, Scope
from pilots.models import Organisation, Role
from tests.conftest import add_membership, add_parents, grant_consent, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate  # called each time: a run may pass midnight

# subject: (scope, organisation attribute on the world or None)
SUBJECTS = {
    "share_with_school": (Scope.SHARE_WITH_ORGANISATION, "school"),
    "share_with_other_organisation": (Scope.SHARE_WITH_ORGANISATION, "elsewhere"),
    "observation_by_coach": (Scope.OBSERVATION_BY_COACH, None),
    "observation_by_external_expert": (Scope.OBSERVATION_BY_EXTERNAL_EXPERT, None),
    "multidisciplinary_meeting": (Scope.MULTIDISCIPLINARY_MEETING, None),
}
STATES = ["none", "granted", "refused", "withdrawn", "expired"]

# outsider persona: (team role, the one subject that opens the case to them)
OUTSIDERS = {
    "school_user": ("school", "share_with_school"),
    "coach": ("coach", "observation_by_coach"),
    "expert": ("external_expert", "observation_by_external_expert"),
}


@pytest.fixture
def family(cases):
    w = cases
    w.mother, w.father = add_parents(w.child_a, actor=w.pm_a)
    practice = Organisation.objects.create(
        name="Kinderpraktijk Noord", kind=Organisation.Kind.MENTAL_HEALTH
    )
    w.expert = make_user("expert", first_name="Eva")
    add_membership(w.expert, practice, Role.EXTERNAL_EXPERT)
    return w


def _set_state(w, subject, state):
    """Bring the consent about `subject` into `state` through the services."""
    scope, org_attr = SUBJECTS[subject]
    organisation = getattr(w, org_attr) if org_attr else None
    if state == "none":
        return None
    if state == "refused":
        return services.consent_record(
            actor=w.pm_a,
            child=w.child_a,
            scope=scope,
            organisation=organisation,
            decision="refused",
            given_by=[w.mother],
            decided_on=TODAY(),
            method="conversation",
        )
    if state == "expired":
        return grant_consent(
            w.child_a,
            actor=w.pm_a,
            scope=scope,
            organisation=organisation,
            decided_on=TODAY() - datetime.timedelta(days=60),
            valid_until=TODAY() - datetime.timedelta(days=1),
        )
    consent = grant_consent(w.child_a, actor=w.pm_a, scope=scope, organisation=organisation)
    if state == "withdrawn":
        services.consent_withdraw(actor=w.pm_a, consent=consent)
    return consent


def _needed_words(w, persona):
    """The words naming the consent someone in `persona`'s role would need."""
    scope, org_attr = SUBJECTS[OUTSIDERS[persona][1]]
    words = [str(Scope(scope).label)]
    if org_attr:
        words.append(getattr(w, org_attr).name)
    return words


def _sees_case(client, user, case) -> bool:
    in_list = case_selectors.cases_for_user(user).filter(pk=case.pk).exists()
    client.force_login(user)
    status = client.get(case.get_absolute_url()).status_code
    assert status in (200, 404)
    assert in_list == (status == 200)
    return in_list


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("subject", sorted(SUBJECTS))
def test_team_membership_and_access_follow_exactly_the_consent(client, family, subject, state):
    w = family
    _set_state(w, subject, state)
    for persona, (role, opening_subject) in OUTSIDERS.items():
        user = getattr(w, persona)
        allowed = state == "granted" and subject == opening_subject
        if allowed:
            case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=user, role=role)
        else:
            with pytest.raises(ValidationError) as refused:
                case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=user, role=role)
            message = " ".join(refused.value.messages)
            for word in _needed_words(w, persona):
                assert word in message, (persona, message)
            assert "Moeder Testkind" in message and "Vader Testkind" in message
        assert CaseTeamMember.objects.filter(case=w.case_a, user=user).exists() == allowed
        assert _sees_case(client, user, w.case_a) == allowed, (persona, subject, state)
    # The staff who care for the child see the case whatever the parents decided.
    assert _sees_case(client, w.pm_a, w.case_a)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("subject", sorted(SUBJECTS))
def test_only_a_granted_consent_in_force_can_be_withdrawn(client, family, subject, state):
    w = family
    consent = _set_state(w, subject, state)
    client.force_login(w.pm_a)
    register = client.get(reverse("parents:child-consents", kwargs={"child_uuid": w.child_a.uuid}))
    rows = {
        (row.scope, row.organisation): row for row in register.context["register"] if row.consent
    }
    if consent is None:
        assert rows == {}
        return
    row = rows[(consent.scope, consent.organisation)]
    expected_state = {"granted": "valid"}.get(state, state)
    assert row.state == expected_state
    withdraw_url = reverse("parents:consent-withdraw", kwargs={"consent_uuid": consent.uuid})
    assert (withdraw_url in register.content.decode()) == (state == "granted")

    response = client.post(withdraw_url, {"withdrawn_on": TODAY().isoformat()})
    consent.refresh_from_db()
    if state == "granted":
        assert response.status_code == 302
        assert consent.decision == "withdrawn" and consent.withdrawn_on == TODAY()
    else:
        assert response.status_code == 200
        assert consent.decision == {"expired": "granted"}.get(state, state)
        assert consent.withdrawn_on == (TODAY() if state == "withdrawn" else None)


@pytest.mark.parametrize("persona", sorted(OUTSIDERS))
def test_withdrawing_through_the_page_ends_access_in_the_very_next_request(client, family, persona):
    w = family
    role, subject = OUTSIDERS[persona]
    user = getattr(w, persona)
    consent = _set_state(w, subject, "granted")
    case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=user, role=role)
    case_url = w.case_a.get_absolute_url()
    export_url = reverse("casework:case-export", kwargs={"case_uuid": w.case_a.uuid})
    list_url = reverse("casework:case-list")
    client.force_login(user)
    assert client.get(case_url).status_code == 200
    assert client.get(export_url).status_code == 200
    assert case_url in client.get(list_url).content.decode()

    client.force_login(w.pm_a)
    withdraw_url = reverse("parents:consent-withdraw", kwargs={"consent_uuid": consent.uuid})
    confirm = client.get(withdraw_url)
    assert user.first_name in confirm.content.decode()  # who will lose access
    response = client.post(withdraw_url, {"withdrawn_on": TODAY().isoformat(), "notes": "Per mail"})
    assert response.status_code == 302

    client.force_login(user)
    assert client.get(case_url).status_code == 404
    assert client.get(export_url).status_code == 404
    assert case_url not in client.get(list_url).content.decode()
    assert not case_selectors.cases_for_user(user).filter(pk=w.case_a.pk).exists()
    # Still on the team, but the team no longer opens anything.
    assert CaseTeamMember.objects.filter(case=w.case_a, user=user).exists()


def test_a_later_refusal_ends_the_access_an_earlier_consent_gave(client, family):
    w = family
    grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope=Scope.SHARE_WITH_ORGANISATION,
        organisation=w.school,
        decided_on=TODAY() - datetime.timedelta(days=5),
    )
    case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.school_user, role="school")
    assert _sees_case(client, w.school_user, w.case_a)
    services.consent_record(
        actor=w.pm_a,
        child=w.child_a,
        scope=Scope.SHARE_WITH_ORGANISATION,
        organisation=w.school,
        decision="refused",
        given_by=[w.father],
        decided_on=TODAY(),
        method="email",
    )
    assert not _sees_case(client, w.school_user, w.case_a)


def test_consent_to_share_with_one_school_opens_nothing_to_another(client, family):
    w = family
    other_school = Organisation.objects.create(name="CBS De Regenboog", kind="school")
    teacher = make_user("teacher", first_name="Tineke")
    add_membership(teacher, other_school, Role.SCHOOL_STAFF)
    grant_consent(
        w.child_a, actor=w.pm_a, scope=Scope.SHARE_WITH_ORGANISATION, organisation=w.school
    )
    with pytest.raises(ValidationError, match="CBS De Regenboog"):
        case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=teacher, role="school")
    assert not _sees_case(client, teacher, w.case_a)


def test_a_refusal_never_hides_the_child_from_the_staff_who_care_for_it(client, family):
    from django.utils.formats import date_format

    w = family
    refused_on = TODAY() - datetime.timedelta(days=2)
    services.consent_record(
        actor=w.pm_a,
        child=w.child_a,
        scope=Scope.SHARE_WITH_ORGANISATION,
        organisation=w.school,
        decision="refused",
        given_by=[w.mother, w.father],
        decided_on=refused_on,
        method="conversation",
    )
    client.force_login(w.pm_a)
    assert case_selectors.cases_for_user(w.pm_a).filter(pk=w.case_a.pk).exists()
    response = client.get(w.case_a.get_absolute_url())
    assert response.status_code == 200
    panel = response.context["consents"]
    assert [(row.organisation, row.state) for row in panel["not_shared"] if row.organisation] == [
        (w.school, "refused")
    ]
    assert panel["shared"] == []
    page = response.content.decode()
    section = page[page.index('id="consents-heading"') :]
    assert "OBS De Vlinder" in section
    assert date_format(refused_on, "j F Y") in section
    register_url = reverse("parents:child-consents", kwargs={"child_uuid": w.child_a.uuid})
    assert register_url in section
    assert Consent.objects.filter(child=w.child_a).count() == 1
