"""Logging a concern: the PM's journey, and what bad input gets."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import AccessLogEntry, Case, Concern
from tests.conftest import add_parents, grant_consent, log_concern


def _concern_data(**overrides):
    data = {
        "observed_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "domain": "language",
        "worry_level": "2",
        "where_seen": "group",
        "description": "Speaks few words and points at what she wants.",
    }
    data.update(overrides)
    return data


def test_pm_logs_a_first_concern_from_home_and_it_opens_a_case(client, cases):
    w = cases
    from casework import services

    child = services.child_register(
        actor=w.manager,
        first_name="Nina",
        last_name="Nieuwkind",
        date_of_birth=datetime.date(2022, 1, 5),
        group=w.group_a,
    )
    client.force_login(w.pm_a)
    home = client.get("/").content.decode()
    url = reverse("casework:concern-create", kwargs={"child_uuid": child.uuid})
    assert url in home

    response = client.post(url, _concern_data())
    case = Case.objects.get(child=child)
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert case.status == "open" and case.opened_by == w.pm_a
    concern = case.concerns.get()
    assert concern.logged_by == w.pm_a and concern.domain == "language"
    assert concern.history.first().history_user == w.pm_a

    page = client.get(case.get_absolute_url()).content.decode()
    assert "Speaks few words" in page


def test_a_second_concern_joins_the_open_case(cases):
    w = cases
    log_concern(w.pm_a, w.child_a, domain="motor")
    assert Case.objects.filter(child=w.child_a).count() == 1
    assert w.case_a.concerns.count() == 2


def test_a_concern_after_closing_opens_a_new_case(cases):
    from casework import services

    w = cases
    services.case_set_status(actor=w.manager, case=w.case_a, status="closed")
    new_case = log_concern(w.pm_a, w.child_a).case
    assert new_case != w.case_a
    assert Case.objects.filter(child=w.child_a).count() == 2


def test_pm_cannot_log_a_concern_about_a_child_outside_their_groups(client, cases):
    w = cases
    client.force_login(w.pm_a)
    url = reverse("casework:concern-create", kwargs={"child_uuid": w.child_b.uuid})
    assert client.get(url).status_code == 404
    assert client.post(url, _concern_data()).status_code == 404
    assert w.case_b.concerns.count() == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("observed_on", "2999-01-01", "in de toekomst"),
        ("domain", "astrology", "Selecteer een geldige keuze"),
        ("worry_level", "", "Dit veld is verplicht"),
        ("description", "", "Dit veld is verplicht"),
        ("description", "x" * 4001, "niet meer dan 4000 tekens"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(client, cases, field, value, message):
    w = cases
    client.force_login(w.pm_a)
    before = (Concern.objects.count(), Case.objects.count())
    response = client.post(
        reverse("casework:concern-create", kwargs={"child_uuid": w.child_a.uuid}),
        _concern_data(**{field: value}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Concern.objects.count(), Case.objects.count()) == before


def test_a_concern_without_a_child_is_refused(client, cases):
    import uuid

    client.force_login(cases.pm_a)
    url = reverse("casework:concern-create", kwargs={"child_uuid": uuid.uuid4()})
    assert client.post(url, _concern_data()).status_code == 404
    assert Concern.objects.count() == 2


def test_an_observation_dated_in_the_future_is_refused(client, cases):
    w = cases
    client.force_login(w.pm_a)
    response = client.post(
        reverse("casework:observation-create", kwargs={"case_uuid": w.case_a.uuid}),
        {
            "observed_on": "2999-01-01",
            "observer_role": "pedagogical_staff",
            "notes": "Played with two others.",
            "wellbeing_self": "4",
        },
    )
    assert response.status_code == 200
    assert "in de toekomst" in response.content.decode()
    assert w.case_a.observations.count() == 0


def test_wellbeing_scales_run_from_one_to_five(client, cases):
    w = cases
    client.force_login(w.pm_a)
    url = reverse("casework:observation-create", kwargs={"case_uuid": w.case_a.uuid})
    data = {
        "observed_on": timezone.localdate().isoformat(),
        "observer_role": "pedagogical_staff",
        "notes": "Played with two others.",
        "wellbeing_self": "6",
    }
    assert client.post(url, data).status_code == 200
    assert w.case_a.observations.count() == 0
    data["wellbeing_self"] = "4"
    assert client.post(url, data).status_code == 302
    assert w.case_a.observations.get().wellbeing_self == 4


def test_viewing_a_case_is_written_to_the_access_log(client, cases):
    w = cases
    client.force_login(w.pm_a)
    client.get(w.case_a.get_absolute_url(), REMOTE_ADDR="192.0.2.7")
    entry = AccessLogEntry.objects.get(case=w.case_a)
    assert (entry.user, entry.action, entry.ip_address) == (w.pm_a, "view", "192.0.2.7")


def test_access_log_entries_cannot_be_changed_or_deleted(cases):
    from casework import services

    w = cases
    entry = services.access_log_record(user=w.pm_a, case=w.case_a, action="view")
    entry.action = "export"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_the_location_manager_sees_who_looked_and_a_pm_does_not(client, cases):
    w = cases
    client.force_login(w.pm_a)
    client.get(w.case_a.get_absolute_url())
    url = reverse("casework:case-access-log", kwargs={"case_uuid": w.case_a.uuid})
    assert client.get(url).status_code == 403
    client.force_login(w.manager)
    page = client.get(url).content.decode()
    assert "Anna" in page


def test_export_lists_the_timeline_and_is_logged(client, cases):
    w = cases
    client.force_login(w.pm_a)
    response = client.get(reverse("casework:case-export", kwargs={"case_uuid": w.case_a.uuid}))
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "Plays alone" in rows[1]
    assert AccessLogEntry.objects.filter(case=w.case_a, action="export").exists()


def test_export_cells_never_start_a_spreadsheet_formula():
    from casework.views import _csv_safe

    assert _csv_safe("=1+1") == "'=1+1"
    assert _csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert _csv_safe("Plays alone") == "Plays alone"


def test_history_tab_shows_who_changed_what(client, cases):
    w = cases
    client.force_login(w.manager)
    page = client.get(reverse("casework:case-history", kwargs={"case_uuid": w.case_a.uuid}))
    body = page.content.decode()
    assert "Anna" in body  # pm_a logged the concern
    assert AccessLogEntry.objects.filter(case=w.case_a, action="history").exists()


def test_the_case_page_offers_a_new_concern_only_to_who_may_log_one(client, cases):
    from casework import services
    from parents.models import Scope

    w = cases
    add_parents(w.child_a, actor=w.pm_a)
    grant_consent(w.child_a, actor=w.pm_a, scope=Scope.OBSERVATION_BY_COACH)
    services.case_team_add(actor=w.manager, case=w.case_a, user=w.coach, role="coach")
    url = w.case_a.get_absolute_url()
    new_concern = reverse("casework:concern-create", kwargs={"child_uuid": w.child_a.uuid})
    client.force_login(w.pm_a)
    assert new_concern in client.get(url).content.decode()
    # On the team, so the coach may change the case, but a concern about the
    # child is for the group's staff, its managers and the mentor: no link that
    # would answer "not found".
    client.force_login(w.coach)
    page = client.get(url).content.decode()
    assert reverse("casework:observation-create", kwargs={"case_uuid": w.case_a.uuid}) in page
    assert new_concern not in page
    assert client.get(new_concern).status_code == 404
