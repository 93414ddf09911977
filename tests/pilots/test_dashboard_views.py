"""The dashboards: who opens which, the filter form, exports with an audit
entry, no link to a child, and query counts that do not grow with locations."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone

from alert4you import urls as project_urls
from alert4you.models import AuditEntry
from casework.models import Case, Child, Concern
from coaching.models import AgendaItem, Visit
from pilots.dashboard_views import dashboard_indicators
from pilots.models import Group, Location, Municipality, Organisation, Pilot, Role
from tests.conftest import add_membership, make_user

# The dashboards are mounted at /dashboards/ by alert4you/urls.py; until that
# include is there, these tests mount them themselves.
urlpatterns = list(project_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "dashboards" for p in urlpatterns):
    urlpatterns.append(path("dashboards/", include("pilots.dashboard_urls")))

pytestmark = pytest.mark.urls(__name__)

CHILD_NAMES = ("Testkind", "Proefkind", "Bulkkind")


def populate(w, location, *, children=6, group=None):
    """Children with an open case and a concern at `location`, and a held visit
    with an agenda item about one of them: data a dashboard must never leak."""
    group = group or Group.objects.create(
        location=location, name=f"Groep {location.pk}", age_band=Group.AgeBand.DAY_CARE, capacity=12
    )
    today = timezone.localdate()
    kids = Child.objects.bulk_create(
        Child(
            first_name=f"Kind{n}",
            last_name="Bulkkind",
            date_of_birth=datetime.date(2022, 1, 1),
            group=group,
        )
        for n in range(children)
    )
    cases = Case.objects.bulk_create(Case(child=kid, opened_by=w.pm_a) for kid in kids)
    Concern.objects.bulk_create(
        Concern(
            case=case,
            observed_on=today - datetime.timedelta(days=20),
            domain="language",
            description="Says few words.",
            worry_level=2,
            where_seen="group",
            logged_by=w.pm_a,
        )
        for case in cases
    )
    starts = timezone.now() - datetime.timedelta(days=10)
    visit = Visit.objects.create(
        coach=w.coach,
        location=location,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        status="held",
    )
    visit.groups.set([group])
    AgendaItem.objects.create(visit=visit, topic="one_child", case=cases[0], question="How?")
    return cases


@pytest.fixture
def dash(cases):
    w = cases
    populate(w, w.location, group=w.group_a)
    w.programme = Organisation.objects.create(name="Programmabureau", kind="other")
    w.programme_staff = make_user("programme_staff", first_name="Pim")
    add_membership(w.programme_staff, w.programme, Role.PROGRAMME_STAFF)
    w.other_pilot = Pilot.objects.create(
        name="Alert4you Elders",
        track="after_school",
        municipality=w.municipality,
        start_date="2010-01-01",
    )
    w.other_location.pilot = w.other_pilot
    w.other_location.save()
    cache.clear()
    return w


def urls_of(w):
    return {
        "index": reverse("dashboards:index"),
        "pilot": reverse("dashboards:pilot", args=[w.pilot.uuid]),
        "pilot_csv": reverse("dashboards:pilot-export", args=[w.pilot.uuid, "csv"]),
        "pilot_xlsx": reverse("dashboards:pilot-export", args=[w.pilot.uuid, "xlsx"]),
        "location": reverse("dashboards:location", args=[w.location.uuid]),
        "location_csv": reverse("dashboards:location-export", args=[w.location.uuid, "csv"]),
        "national": reverse("dashboards:national"),
        "national_xlsx": reverse("dashboards:national-export", args=["xlsx"]),
    }


# --- access ---------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, dash):
    for url in urls_of(dash).values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlsplit(response["Location"]).path == reverse("login")


ALLOWED = {
    "project_leader": {"index", "pilot", "pilot_csv", "pilot_xlsx"},
    "manager": {"index", "location", "location_csv"},
    "programme_staff": {
        "index",
        "pilot",
        "pilot_csv",
        "pilot_xlsx",
        "location",
        "location_csv",
        "national",
        "national_xlsx",
    },
}


@pytest.mark.parametrize(
    "persona",
    [
        "project_leader",
        "manager",
        "programme_staff",
        "pm_a",
        "coach",
        "coordinator",
        "org_admin",
        "school_user",
        "outsider",
    ],
)
def test_each_persona_opens_exactly_their_dashboards(client, dash, persona):
    client.force_login(getattr(dash, persona))
    allowed = ALLOWED.get(persona, {"index"})
    for name, url in urls_of(dash).items():
        expected = 200 if name in allowed else 404
        assert client.get(url).status_code == expected, (persona, name)


def test_project_leader_cannot_open_a_pilot_they_do_not_lead(client, dash):
    client.force_login(dash.project_leader)
    url = reverse("dashboards:pilot", args=[dash.other_pilot.uuid])
    assert client.get(url).status_code == 404


def test_manager_cannot_open_another_location(client, dash):
    client.force_login(dash.manager)
    url = reverse("dashboards:location", args=[dash.other_location.uuid])
    assert client.get(url).status_code == 404


def test_index_lists_only_what_the_user_may_open(client, dash):
    client.force_login(dash.project_leader)
    page = client.get(reverse("dashboards:index")).content.decode()
    assert f'data-pilot="{dash.pilot.uuid}"' in page
    assert str(dash.other_pilot.uuid) not in page
    assert 'id="dashboard-national-link"' not in page

    client.force_login(dash.programme_staff)
    page = client.get(reverse("dashboards:index")).content.decode()
    assert f'data-pilot="{dash.other_pilot.uuid}"' in page
    assert 'id="dashboard-national-link"' in page


def test_index_for_someone_without_dashboards_is_empty_not_an_error(client, dash):
    client.force_login(dash.pm_a)
    response = client.get(reverse("dashboards:index"))
    assert response.status_code == 200
    assert b'id="no-dashboards"' in response.content


def test_ended_membership_closes_the_location_dashboard(client, dash):
    membership = dash.manager.memberships.get(role=Role.LOCATION_MANAGER)
    type(membership).objects.filter(pk=membership.pk).update(
        start_date=datetime.date(2020, 1, 1), end_date=timezone.localdate() - datetime.timedelta(1)
    )
    client.force_login(dash.manager)
    assert client.get(reverse("dashboards:location", args=[dash.location.uuid])).status_code == 404


# --- what the page shows --------------------------------------------------------------------------


def test_pilot_dashboard_shows_every_indicator_with_chart_and_table(client, dash):
    from pilots.indicators import INDICATORS

    client.force_login(dash.project_leader)
    response = client.get(reverse("dashboards:pilot", args=[dash.pilot.uuid]))
    page = response.content.decode()
    indicators = dashboard_indicators(response.context["scope"], response.context["filters"])
    keys = [i.key for i in indicators]
    assert len(keys) == len(INDICATORS) + 1
    assert "competence_confidence" in keys
    for indicator in indicators:
        assert f'data-indicator-table="{indicator.key}"' in page
        if indicator.chart in ("line", "bar") and indicator.table.rows:
            assert f'data-chart="{indicator.chart}" data-indicator="{indicator.key}"' in page
    assert page.count("<caption") >= len(keys)
    assert 'role="img"' in page


def test_an_open_dashboard_is_drawn_once_per_figure_set_and_language(client, dash, monkeypatch):
    from pilots import charts

    drawn = []
    real_chart_svg = charts.chart_svg
    monkeypatch.setattr(charts, "chart_svg", lambda i: drawn.append(i.key) or real_chart_svg(i))
    client.force_login(dash.project_leader)
    url = reverse("dashboards:pilot", args=[dash.pilot.uuid])
    first = client.get(url).content.decode()
    assert drawn
    count = len(drawn)
    second = client.get(url).content.decode()
    assert len(drawn) == count  # from the cache, not drawn again
    # The same panels, as markup (not escaped text).
    assert (
        second.count('<section class="card mb-4 dashboard-indicator"')
        == first.count('<section class="card mb-4 dashboard-indicator"')
        > 0
    )
    assert "&lt;section" not in second
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert len(drawn) > count  # drawn again in the other language
    assert "Show the figures as a table" in english


def test_figures_under_five_are_shown_as_small(client, dash):
    client.force_login(dash.project_leader)
    page = client.get(reverse("dashboards:pilot", args=[dash.pilot.uuid])).content.decode()
    # The one agenda item about a child is fewer than five: never shown as 1.
    assert 'data-suppressed="true"' in page
    assert 'data-value="1"' not in page


def test_default_period_is_the_last_twelve_months(client, dash):
    client.force_login(dash.project_leader)
    response = client.get(reverse("dashboards:pilot", args=[dash.pilot.uuid]))
    filters = response.context["filters"]
    today = timezone.localdate()
    assert filters.period_end == today
    assert filters.period_start.day == 1
    months = (
        (today.year - filters.period_start.year) * 12 + today.month - filters.period_start.month
    )
    assert months == 11


def test_filter_form_narrows_the_figures(client, dash):
    dash.location.municipality = dash.municipality
    dash.location.save()
    client.force_login(dash.project_leader)
    url = reverse("dashboards:pilot", args=[dash.pilot.uuid])
    query = {
        "period_start": "2023-01-01",
        "period_end": "2023-06-30",
        "location_type": "bso",
        "municipality": dash.municipality.pk,
    }
    response = client.get(url, query)
    filters = response.context["filters"]
    assert (filters.period_start, filters.period_end) == (
        datetime.date(2023, 1, 1),
        datetime.date(2023, 6, 30),
    )
    assert (filters.location_type, filters.municipality_id) == ("bso", dash.municipality.pk)
    export = response.context["export_xlsx_url"]
    assert "period_start=2023-01-01" in export and "location_type=bso" in export


def test_period_ending_before_it_starts_is_an_error_and_shows_the_defaults(client, dash):
    client.force_login(dash.project_leader)
    url = reverse("dashboards:pilot", args=[dash.pilot.uuid])
    response = client.get(url, {"period_start": "2024-06-01", "period_end": "2024-01-01"})
    assert response.status_code == 200
    assert "period_end" in response.context["form"].errors
    assert response.context["filters"].period_end == timezone.localdate()


def test_municipality_filter_offers_only_the_scopes_municipalities(client, dash):
    elsewhere = Municipality.objects.create(name="Emmen", cbs_code="GM0114", province="DR")
    dash.location.municipality = dash.municipality
    dash.location.save()
    client.force_login(dash.project_leader)
    url = reverse("dashboards:pilot", args=[dash.pilot.uuid])
    form = client.get(url).context["form"]
    assert list(form.fields["municipality"].queryset) == [dash.municipality]
    response = client.get(
        url,
        {"period_start": "2024-01-01", "period_end": "2024-06-30", "municipality": elsewhere.pk},
    )
    assert "municipality" in response.context["form"].errors


def test_location_dashboard_has_no_location_filters(client, dash):
    client.force_login(dash.manager)
    response = client.get(reverse("dashboards:location", args=[dash.location.uuid]))
    assert set(response.context["form"].fields) == {"period_start", "period_end"}


# --- exports --------------------------------------------------------------------------------------


def test_csv_export_writes_one_audit_entry(client, dash):
    client.force_login(dash.project_leader)
    url = reverse("dashboards:pilot-export", args=[dash.pilot.uuid, "csv"])
    response = client.get(
        url, {"period_start": "2024-01-01", "period_end": "2024-12-31"}, REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.ip_address) == (
        dash.project_leader,
        AuditEntry.Action.DASHBOARD_EXPORT,
        "192.0.2.9",
    )
    assert entry.subject == f"pilot:{dash.pilot.name}"
    assert "2024-01-01..2024-12-31" in entry.detail and "format=csv" in entry.detail
    assert entry.path.startswith(url)


def test_xlsx_export_and_format_parameter(client, dash):
    import io

    from openpyxl import load_workbook

    from pilots.indicators import INDICATORS

    client.force_login(dash.programme_staff)
    response = client.get(reverse("dashboards:national"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 1 + len(INDICATORS) + 1  # about, indicators, competences
    assert AuditEntry.objects.get().subject == "national"


def test_viewing_a_dashboard_writes_no_audit_entry(client, dash):
    client.force_login(dash.project_leader)
    client.get(reverse("dashboards:pilot", args=[dash.pilot.uuid]))
    assert not AuditEntry.objects.exists()


def test_refused_export_is_logged_as_refused_not_as_an_export(client, dash):
    client.force_login(dash.outsider)
    response = client.get(reverse("dashboards:pilot-export", args=[dash.pilot.uuid, "xlsx"]))
    assert response.status_code == 404
    assert list(AuditEntry.objects.values_list("action", "outcome")) == [
        (AuditEntry.Action.ACCESS_DENIED, AuditEntry.Outcome.DENIED)
    ]


def test_exports_hold_no_child_names(client, dash):
    client.force_login(dash.project_leader)
    for fmt in ("csv", "xlsx"):
        body = client.get(reverse("dashboards:pilot-export", args=[dash.pilot.uuid, fmt])).content
        assert not any(name.encode() in body for name in CHILD_NAMES)


# --- never a link to a child ----------------------------------------------------------------------

FORBIDDEN_PREFIXES = ("/cases/", "/parents/", "/coaching/")
HREF = re.compile(r'href="([^"#][^"]*)"')


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


DASHBOARDS = [
    ("project_leader", "pilot"),
    ("manager", "location"),
    ("programme_staff", "pilot"),
    ("programme_staff", "location"),
    ("programme_staff", "national"),
]


@pytest.mark.parametrize(("persona", "name"), DASHBOARDS)
def test_dashboard_never_links_to_a_child_or_a_case(client, dash, persona, name):
    client.force_login(getattr(dash, persona))
    page = client.get(urls_of(dash)[name]).content.decode()
    assert not any(child in page for child in CHILD_NAMES)
    # The navigation bar is the site's; the dashboard itself links to no casework.
    links = HREF.findall(main_of(page))
    assert links
    assert not [link for link in links if link.startswith(FORBIDDEN_PREFIXES)]
    assert not [link for link in links if str(dash.case_a.uuid) in link]
    if persona != "manager":  # project leaders and programme staff see no casework anywhere
        assert not [link for link in HREF.findall(page) if link.startswith(FORBIDDEN_PREFIXES)]


def test_every_link_on_the_pilot_dashboard_leads_to_no_child_data(client, dash):
    client.force_login(dash.project_leader)
    page = client.get(urls_of(dash)["pilot"]).content.decode()
    links = {link.replace("&amp;", "&") for link in HREF.findall(page)}
    links = {link for link in links if link.startswith("/") and not link.startswith("/static/")}
    assert links
    for link in sorted(links):
        response = client.get(link)
        if response.status_code in (403, 404):
            continue
        assert not urlsplit(link).path.startswith(FORBIDDEN_PREFIXES), link
        assert response.status_code in (200, 302), link
        body = response.content
        assert not any(name.encode() in body for name in CHILD_NAMES), link
        assert str(dash.case_a.uuid).encode() not in body, link


# --- queries and cache ----------------------------------------------------------------------------


def add_locations(w, count):
    start = Location.objects.count()
    for n in range(start, start + count):
        location = Location.objects.create(
            organisation=w.childcare,
            name=f"KDV Extra {n}",
            location_type="kdv",
            pilot=w.pilot,
            municipality=w.municipality,
        )
        w.manager.memberships.get(role=Role.LOCATION_MANAGER).locations.add(location)
        populate(w, location, children=2)


def count_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("persona", "name"), DASHBOARDS)
def test_query_count_does_not_grow_with_locations(client, dash, persona, name):
    client.force_login(getattr(dash, persona))
    url = urls_of(dash)[name]
    add_locations(dash, 1)  # two locations in the pilot
    small = count_queries(client, url)
    add_locations(dash, 10)  # twelve
    large = count_queries(client, url)
    assert small == large


def test_second_load_within_the_cache_time_runs_fewer_queries(client, dash):
    client.force_login(dash.project_leader)
    url = urls_of(dash)["pilot"]
    first = count_queries(client, url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) < first
