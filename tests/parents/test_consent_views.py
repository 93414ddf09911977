"""The consent register's pages: who may open them, what they change, what bad
input gets, and that their queries do not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import Child
from parents import services
from parents.models import Consent, Guardian, Scope
from pilots.models import Organisation
from tests.conftest import add_parents, grant_consent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate  # called each time: a run may pass midnight


@pytest.fixture
def family(cases):
    w = cases
    w.mother, w.father = add_parents(w.child_a, actor=w.pm_a)
    w.coach_consent = grant_consent(w.child_a, actor=w.pm_a, scope=Scope.OBSERVATION_BY_COACH)
    return w


def _urls(w):
    """Every page of child A's consent register."""
    child = {"child_uuid": w.child_a.uuid}
    return [
        reverse("parents:child-consents", kwargs=child),
        reverse("parents:consent-record", kwargs=child),
        reverse("parents:consent-legal-ground", kwargs=child),
        reverse("parents:consent-paper-form", kwargs=child) + "?scope=observation_by_coach",
        reverse("parents:guardian-create", kwargs=child),
        reverse("parents:guardian-edit", kwargs={"guardian_uuid": w.mother.uuid}),
        reverse("parents:consent-withdraw", kwargs={"consent_uuid": w.coach_consent.uuid}),
    ]


def _register(w):
    return reverse("parents:child-consents", kwargs={"child_uuid": w.child_a.uuid})


def _consent_data(w, **overrides):
    data = {
        "scope": "share_with_organisation",
        "organisation": str(w.school.pk),
        "decision": "granted",
        "given_by": [str(w.mother.pk), str(w.father.pk)],
        "decided_on": TODAY().isoformat(),
        "valid_until": (TODAY() + datetime.timedelta(days=365)).isoformat(),
        "method": "paper",
        "notes": "Signed at pick-up.",
    }
    data.update(overrides)
    return data


# --- who may open the register --------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, family):
    for url in _urls(family) + [reverse("parents:consents-expiring")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize(
    "persona", ["outsider", "pm_b", "coach", "project_leader", "school_user", "org_admin"]
)
def test_anyone_not_caring_for_the_child_gets_404_and_changes_nothing(client, family, persona):
    w = family
    client.force_login(getattr(w, persona))
    for url in _urls(w):
        assert client.get(url).status_code == 404, url
        assert client.post(url, _consent_data(w)).status_code == 404, url
    assert Consent.objects.count() == 1
    w.coach_consent.refresh_from_db()
    assert w.coach_consent.decision == "granted"
    assert Guardian.objects.filter(child=w.child_a).count() == 2
    expiring = client.get(reverse("parents:consents-expiring"))
    assert expiring.status_code == 200 and "Mieke" not in expiring.content.decode()


@pytest.mark.parametrize("persona", ["pm_a", "manager", "coordinator"])
def test_the_staff_who_care_for_the_child_open_every_page(client, family, persona):
    client.force_login(getattr(family, persona))
    for url in _urls(family):
        assert client.get(url).status_code == 200, url


def test_the_register_shows_guardians_and_the_decision_in_force_with_its_history(client, family):
    w = family
    services.consent_record(
        actor=w.pm_a,
        child=w.child_a,
        scope=Scope.SHARE_WITH_ORGANISATION,
        organisation=w.school,
        decision="refused",
        given_by=[w.father],
        decided_on=TODAY() - datetime.timedelta(days=10),
        method="conversation",
    )
    grant_consent(
        w.child_a, actor=w.pm_a, scope=Scope.SHARE_WITH_ORGANISATION, organisation=w.school
    )
    client.force_login(w.pm_a)
    response = client.get(_register(w))
    page = response.content.decode()
    assert "Moeder Testkind" in page and "Vader Testkind" in page
    states = {(row.scope, row.organisation): row for row in response.context["register"]}
    school = states[("share_with_organisation", w.school)]
    assert school.state == "valid" and [c.decision for c in school.history] == ["refused"]
    assert states[("observation_by_coach", None)].state == "valid"
    assert states[("observation_by_external_expert", None)].state == "none"
    assert states[("multidisciplinary_meeting", None)].state == "none"
    assert w.case_a.get_absolute_url() in page


# --- recording a consent through the form ----------------------------------------------------


def test_pm_records_a_consent_and_the_school_may_then_join_the_team(client, family):
    w = family
    client.force_login(w.pm_a)
    response = client.post(
        reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid}), _consent_data(w)
    )
    assert response.status_code == 302 and response["Location"] == _register(w)
    consent = Consent.objects.get(scope="share_with_organisation")
    assert consent.organisation == w.school and consent.decision == "granted"
    assert set(consent.given_by.all()) == {w.mother, w.father}
    assert consent.recorded_by == w.pm_a and consent.notes == "Signed at pick-up."
    assert {h.history_user for h in consent.history.all()} == {w.pm_a}
    assert Consent.objects.count() == 2

    from casework import services as case_services

    case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.school_user, role="school")
    client.force_login(w.school_user)
    assert client.get(w.case_a.get_absolute_url()).status_code == 200


def test_one_of_two_parents_with_joint_authority_is_not_enough(client, family):
    w = family
    client.force_login(w.pm_a)
    response = client.post(
        reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid}),
        _consent_data(w, given_by=[str(w.mother.pk)]),
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Vader Testkind" in errors and "Moeder Testkind" not in errors
    assert "Vader Testkind" in response.content.decode()
    assert not Consent.objects.filter(scope="share_with_organisation").exists()


def test_a_refusal_by_one_parent_is_recorded(client, family):
    w = family
    client.force_login(w.pm_a)
    response = client.post(
        reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid}),
        _consent_data(w, decision="refused", given_by=[str(w.father.pk)], valid_until=""),
    )
    assert response.status_code == 302
    consent = Consent.objects.get(scope="share_with_organisation")
    assert consent.decision == "refused" and list(consent.given_by.all()) == [w.father]


def test_someone_without_parental_authority_cannot_refuse_either(client, family):
    w = family
    stepfather = services.guardian_save(
        actor=w.pm_a, child=w.child_a, first_name="Stief", last_name="Vader", relation="carer"
    )
    client.force_login(w.pm_a)
    response = client.post(
        reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid}),
        _consent_data(
            w,
            scope="observation_by_coach",
            organisation="",
            decision="refused",
            given_by=[str(stepfather.pk)],
        ),
    )
    assert response.status_code == 200
    assert "Stief Vader" in " ".join(response.context["form"].non_field_errors())
    assert Consent.objects.get().decision == "granted"


@pytest.mark.parametrize(
    "overrides, field",
    [
        # Dates are worked out when the test runs: the tests are collected, maybe the day before.
        (lambda: {"decided_on": (TODAY() + datetime.timedelta(days=1)).isoformat()}, "decided_on"),
        (lambda: {"organisation": ""}, "organisation"),
        (
            lambda: {"valid_until": (TODAY() - datetime.timedelta(days=1)).isoformat()},
            "valid_until",
        ),
        (lambda: {"given_by": []}, "given_by"),
        (lambda: {"scope": "read_everything"}, "scope"),
    ],
    ids=["decided_on", "organisation", "valid_until", "given_by", "scope"],
)
def test_bad_input_gets_a_message_on_its_field_and_saves_nothing(client, family, overrides, field):
    w = family
    client.force_login(w.pm_a)
    response = client.post(
        reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid}),
        _consent_data(w, **overrides()),
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'aria-invalid="true"' in response.content.decode()
    assert Consent.objects.count() == 1


def test_an_organisation_is_ignored_for_scopes_that_do_not_share(client, family):
    w = family
    client.force_login(w.pm_a)
    response = client.post(
        reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid}),
        _consent_data(w, scope="multidisciplinary_meeting"),
    )
    assert response.status_code == 302
    assert Consent.objects.get(scope="multidisciplinary_meeting").organisation is None


def test_the_childs_own_agreement_is_asked_from_twelve(client, family):
    w = family
    url = reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid})
    client.force_login(w.pm_a)
    assert "child_agreed" not in client.get(url).context["form"].fields
    w.child_a.date_of_birth = TODAY().replace(year=TODAY().year - 13)
    w.child_a.save()
    form = client.get(url).context["form"]
    assert "Mieke" in str(form.fields["child_agreed"].help_text)
    response = client.post(url, _consent_data(w))
    assert response.status_code == 200
    assert "Mieke" in " ".join(response.context["form"].non_field_errors())
    assert client.post(url, _consent_data(w, child_agreed="on")).status_code == 302
    assert Consent.objects.get(scope="share_with_organisation").child_agreed is True


def test_the_organisation_choice_leaves_out_the_childs_own_organisation(client, family):
    w = family
    client.force_login(w.pm_a)
    url = reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid})
    choices = list(client.get(url).context["form"].fields["organisation"].queryset)
    assert w.school in choices and w.youth_care in choices and w.childcare not in choices


def test_a_link_from_the_register_preselects_scope_and_organisation(client, family):
    w = family
    client.force_login(w.pm_a)
    url = reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid})
    form = client.get(url, {"scope": "share_with_organisation", "organisation": w.school.uuid})
    assert form.context["form"].initial == {
        "scope": "share_with_organisation",
        "organisation": w.school,
    }
    assert client.get(url, {"organisation": "not-a-uuid"}).status_code == 200


# --- guardians ------------------------------------------------------------------------------


def test_pm_adds_and_edits_a_guardian(client, cases):
    w = cases
    client.force_login(w.pm_a)
    response = client.post(
        reverse("parents:guardian-create", kwargs={"child_uuid": w.child_a.uuid}),
        {
            "first_name": "Fatima",
            "last_name": "Testkind",
            "relation": "parent",
            "has_authority": "on",
            "authority_checked_how": "register",
            "authority_checked_on": TODAY().isoformat(),
            "phone": "06-12345678",
        },
    )
    assert response.status_code == 302 and response["Location"] == _register(w)
    guardian = Guardian.objects.get(child=w.child_a)
    assert guardian.has_authority and guardian.authority_checked_how == "register"
    assert guardian.history.get().history_user == w.pm_a

    edit_url = reverse("parents:guardian-edit", kwargs={"guardian_uuid": guardian.uuid})
    assert client.get(edit_url).context["form"].initial["first_name"] == "Fatima"
    response = client.post(
        edit_url,
        {
            "first_name": "Fatima",
            "last_name": "Testkind",
            "relation": "parent",
            "has_authority": "on",
            "authority_checked_how": "court_order",
            "phone": "06-87654321",
        },
    )
    assert response.status_code == 302
    guardian.refresh_from_db()
    assert guardian.phone == "06-87654321" and guardian.authority_checked_how == "court_order"
    assert guardian.history.count() == 2 and guardian.history.first().history_user == w.pm_a


def test_a_foster_parent_with_authority_is_refused_with_a_clear_message(client, cases):
    w = cases
    client.force_login(w.pm_a)
    response = client.post(
        reverse("parents:guardian-create", kwargs={"child_uuid": w.child_a.uuid}),
        {
            "first_name": "Pleeg",
            "last_name": "Moeder",
            "relation": "foster_parent",
            "has_authority": "on",
            "authority_checked_how": "not_checked",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["has_authority"]
    assert not Guardian.objects.exists()


def test_the_register_marks_authority_that_is_not_proven(client, cases):
    w = cases
    add_parents(w.child_a, actor=w.pm_a, authority_checked_how="parent_statement")
    client.force_login(w.pm_a)
    guardians = client.get(_register(w)).context["guardians"]
    assert [g.authority_proven for g in guardians] == [False, False]


# --- withdrawal and legal ground --------------------------------------------------------------


def test_withdrawal_needs_a_post_and_records_who_and_when(client, family):
    w = family
    client.force_login(w.pm_a)
    url = reverse("parents:consent-withdraw", kwargs={"consent_uuid": w.coach_consent.uuid})
    assert client.get(url).status_code == 200
    w.coach_consent.refresh_from_db()
    assert w.coach_consent.decision == "granted"
    response = client.post(url, {"withdrawn_on": TODAY().isoformat(), "notes": "Mother phoned"})
    assert response.status_code == 302 and response["Location"] == _register(w)
    w.coach_consent.refresh_from_db()
    assert w.coach_consent.decision == "withdrawn" and w.coach_consent.withdrawn_on == TODAY()
    assert "Mother phoned" in w.coach_consent.notes
    assert w.coach_consent.history.first().history_user == w.pm_a


def test_a_withdrawal_in_the_future_is_refused(client, family):
    w = family
    client.force_login(w.pm_a)
    url = reverse("parents:consent-withdraw", kwargs={"consent_uuid": w.coach_consent.uuid})
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"withdrawn_on": tomorrow})
    assert response.status_code == 200 and response.context["form"].errors["withdrawn_on"]
    w.coach_consent.refresh_from_db()
    assert w.coach_consent.decision == "granted"


def test_pm_records_sharing_on_a_legal_ground(client, family):
    w = family
    client.force_login(w.pm_a)
    url = reverse("parents:consent-legal-ground", kwargs={"child_uuid": w.child_a.uuid})
    data = {
        "organisation": str(w.youth_care.pk),
        "legal_ground": "Ondertoezichtstelling, art. 1:255 BW",
        "decided_on": TODAY().isoformat(),
    }
    response = client.post(url, dict(data, legal_ground=""))
    assert response.status_code == 200 and response.context["form"].errors["legal_ground"]
    assert Consent.objects.count() == 1
    response = client.post(url, dict(data, decided_on=(TODAY() + datetime.timedelta(days=3))))
    assert response.status_code == 200 and response.context["form"].errors["decided_on"]
    assert client.post(url, data).status_code == 302
    record = Consent.objects.get(decision="legal_ground")
    assert record.organisation == w.youth_care and record.recorded_by == w.pm_a
    rows = {(r.scope, r.organisation): r for r in client.get(_register(w)).context["register"]}
    assert rows[("share_with_organisation", w.youth_care)].state == "legal_ground"


# --- the paper form ---------------------------------------------------------------------------


def test_the_paper_form_names_the_child_the_scope_and_who_signs(client, family):
    from django.utils.formats import date_format

    w = family
    client.force_login(w.pm_a)
    url = reverse("parents:consent-paper-form", kwargs={"child_uuid": w.child_a.uuid})
    response = client.get(url, {"scope": "share_with_organisation", "organisation": w.school.uuid})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mieke Testkind" in page and date_format(w.child_a.date_of_birth, "j F Y") in page
    assert "OBS De Vlinder" in page
    assert "Moeder Testkind" in page and "Vader Testkind" in page
    assert not response.context["is_twelve"]
    assert page.count('class="signature-block"') == 2

    w.child_a.date_of_birth = TODAY().replace(year=TODAY().year - 12)
    w.child_a.save()
    page = client.get(url, {"scope": "observation_by_coach"}).content.decode()
    assert page.count('class="signature-block"') == 3


def test_the_paper_form_without_a_known_scope_goes_back_to_the_register(client, family):
    w = family
    client.force_login(w.pm_a)
    url = reverse("parents:consent-paper-form", kwargs={"child_uuid": w.child_a.uuid})
    response = client.get(url, {"scope": "everything"})
    assert response.status_code == 302 and response["Location"] == _register(w)


# --- consents expiring within a month ---------------------------------------------------------


def test_expiring_consents_are_listed_for_the_staff_of_the_child_until_renewed(client, family):
    w = family
    soon = grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope=Scope.SHARE_WITH_ORGANISATION,
        organisation=w.school,
        decided_on=TODAY() - datetime.timedelta(days=300),
        valid_until=TODAY() + datetime.timedelta(days=10),
    )
    grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope=Scope.MULTIDISCIPLINARY_MEETING,
        valid_until=TODAY() + datetime.timedelta(days=60),
    )
    url = reverse("parents:consents-expiring")
    for persona in ("pm_a", "manager", "coordinator"):
        client.force_login(getattr(w, persona))
        response = client.get(url)
        assert [c.pk for c in response.context["page"]] == [soon.pk], persona
        assert "Mieke Testkind" in response.content.decode()
    client.force_login(w.pm_a)
    assert "OBS De Vlinder" in client.get("/").content.decode()
    assert url in client.get("/").content.decode()
    for persona in ("pm_b", "coach", "school_user"):
        client.force_login(getattr(w, persona))
        assert list(client.get(url).context["page"]) == [], persona

    grant_consent(
        w.child_a, actor=w.pm_a, scope=Scope.SHARE_WITH_ORGANISATION, organisation=w.school
    )
    client.force_login(w.pm_a)
    assert list(client.get(url).context["page"]) == []


def test_the_navigation_links_the_list_for_staff_only(client, family):
    url = reverse("parents:consents-expiring")
    for persona, linked in [("pm_a", True), ("manager", True), ("coach", False)]:
        client.force_login(getattr(family, persona))
        assert (url in client.get(reverse("casework:case-list")).content.decode()) == linked


# --- query counts -----------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


def _bulk_register(w, count):
    """`count` more guardians, and `count` organisations each with a grant and a refusal."""
    start = Guardian.objects.count()
    guardians = Guardian.objects.bulk_create(
        Guardian(
            child=w.child_a,
            first_name=f"Oma{start + n}",
            last_name="Bulk",
            relation="carer",
        )
        for n in range(count)
    )
    start = Organisation.objects.count()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"School {start + n}", kind="school") for n in range(count)
    )
    consents = Consent.objects.bulk_create(
        Consent(
            child=w.child_a,
            scope="share_with_organisation",
            organisation=org,
            decision=decision,
            decided_on=TODAY() - datetime.timedelta(days=days),
            valid_until=TODAY() + datetime.timedelta(days=20) if decision == "granted" else None,
            method="paper",
            recorded_by=w.pm_a,
        )
        for org in organisations
        for decision, days in (("refused", 20), ("granted", 1))
    )
    Consent.given_by.through.objects.bulk_create(
        Consent.given_by.through(consent=consent, guardian=guardian)
        for consent in consents
        for guardian in [w.mother, guardians[0]]
    )


def test_register_case_page_and_expiring_list_queries_do_not_grow_with_consents(client, family):
    w = family
    client.force_login(w.pm_a)
    urls = [
        _register(w),
        w.case_a.get_absolute_url(),
        reverse("parents:consents-expiring"),
        reverse("parents:consent-record", kwargs={"child_uuid": w.child_a.uuid}),
        "/",
    ]
    _bulk_register(w, 2)
    small = [_count(client, url) for url in urls]
    _bulk_register(w, 30)
    assert [_count(client, url) for url in urls] == small


def _bulk_children(w, count):
    children = Child.objects.bulk_create(
        Child(
            first_name=f"Kind{n}",
            last_name="Bulk",
            date_of_birth=datetime.date(2022, 1, 1),
            group=w.group_a,
        )
        for n in range(count)
    )
    Consent.objects.bulk_create(
        Consent(
            child=child,
            scope="observation_by_coach",
            decision="granted",
            decided_on=TODAY() - datetime.timedelta(days=300),
            valid_until=TODAY() + datetime.timedelta(days=n % 30),
            method="paper",
            recorded_by=w.pm_a,
        )
        for n, child in enumerate(children)
    )


@pytest.mark.parametrize("persona", ["pm_a", "manager"])
def test_expiring_list_queries_do_not_grow_with_children(client, family, persona):
    w = family
    client.force_login(getattr(w, persona))
    url = reverse("parents:consents-expiring")
    _bulk_children(w, 5)
    small = _count(client, url)
    assert len(client.get(url).context["page"]) == 5
    _bulk_children(w, 195)
    assert _count(client, url) == small
    first_page = client.get(url).context["page"]
    assert len(first_page) == 50 and first_page.has_next
    assert client.get(url, {"page": 4}).context["page"].count == 200


def test_opening_a_child_s_register_logs_the_child_s_case(client, family):
    from casework.models import AccessLogEntry

    w = family
    client.force_login(w.pm_a)
    assert client.get(_register(w)).status_code == 200
    assert list(AccessLogEntry.objects.filter(user=w.pm_a).values_list("case_id", "action")) == [
        (w.case_a.pk, AccessLogEntry.Action.LISTED)
    ]


def test_printing_a_paper_consent_form_logs_a_print_of_the_child_s_case(client, family):
    from casework.models import AccessLogEntry

    w = family
    client.force_login(w.pm_a)
    url = reverse("parents:consent-paper-form", kwargs={"child_uuid": w.child_a.uuid})
    assert client.get(url, {"scope": "observation_by_coach"}).status_code == 200
    assert list(AccessLogEntry.objects.filter(user=w.pm_a).values_list("case_id", "action")) == [
        (w.case_a.pk, AccessLogEntry.Action.PRINT)
    ]
