"""Dashboard indicators: exact figures on a small hand-made data set, small cells
suppressed, filters, scope isolation, a constant number of queries, and who
may open which dashboard.

Rows are built with small factories (dates in the past are set directly, as
the services stamp today's date). Labels in the UI language are never
asserted: rows and columns are read by position in the choices' order.
"""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from casework.models import (
    Case,
    Child,
    Concern,
    Domain,
    Observation,
    Placement,
    Plan,
    PlanReview,
)
from coaching.models import AgendaItem, CoachAssignment, Topic, Visit
from parents.models import Consent, ConversationForm, ParentConversation
from pilots import dashboard_selectors as sel
from pilots.dashboard_types import DashboardFilters
from pilots.indicators import compute_indicators
from pilots.models import Group, Location, Membership, Municipality, Organisation, Pilot, Role
from tests.conftest import add_membership, make_user

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = DashboardFilters(period_start=D(2026, 1, 1), period_end=D(2026, 3, 31))
SMALL, HIDDEN = "<5", "–"
OPENED = D(2025, 12, 1)
_n = itertools.count()


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


class Places:
    pass


@pytest.fixture
def places(db):
    p = Places()
    p.assen = Municipality.objects.create(name="Assen", cbs_code="GM0106", province="DR")
    p.tynaarlo = Municipality.objects.create(name="Tynaarlo", cbs_code="GM1730", province="DR")
    p.org = Organisation.objects.create(name="Speelwerk", kind=Organisation.Kind.CHILDCARE)
    p.pilot = Pilot.objects.create(
        name="Pilot Noord", track="day_care", municipality=p.assen, start_date=D(2025, 1, 1)
    )
    p.other_pilot = Pilot.objects.create(
        name="Pilot Zuid", track="day_care", municipality=p.assen, start_date=D(2025, 1, 1)
    )
    p.a = _location(p, "Alfa KDV", "kdv", p.assen, p.pilot)
    p.b = _location(p, "Beta BSO", "bso", p.tynaarlo, p.pilot)
    p.c = _location(p, "Gamma KDV", "kdv", p.assen, p.other_pilot)
    p.staff = make_user("staff")
    p.coach = make_user("coach")
    return p


def _location(p, name, kind, municipality, pilot):
    location = Location.objects.create(
        organisation=p.org, name=name, location_type=kind, municipality=municipality, pilot=pilot
    )
    Group.objects.create(location=location, name="Groep", age_band="0-4", capacity=12)
    return location


def _at(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- factories --------------------------------------------------------------------------------


def child(location):
    return Child.objects.create(
        first_name=f"Kind{next(_n)}",
        last_name="Test",
        date_of_birth=D(2022, 1, 1),
        group=location.groups.get(),
    )


def case(p, location, *, opened=OPENED, closed=None, status="open"):
    c = Case.objects.create(child=child(location), opened_by=p.staff, status=status)
    if closed:
        status = "closed"
    Case.objects.filter(pk=c.pk).update(
        opened_at=_at(opened), closed_at=_at(closed) if closed else None, status=status
    )
    c.refresh_from_db()
    return c


def cases(p, location, n, **kwargs):
    return [case(p, location, **kwargs) for _ in range(n)]


def concern(p, c, on, domain="social_emotional"):
    return Concern.objects.create(
        case=c,
        observed_on=on,
        domain=domain,
        description="x",
        worry_level=2,
        where_seen="group",
        logged_by=p.staff,
    )


def assignment(p, location, kind="structural"):
    rhythm = {"weekday": 1, "every_weeks": 2, "start_time": "09:30", "end_time": "11:30"}
    return CoachAssignment.objects.create(
        coach=p.coach,
        location=location,
        kind=kind,
        starts_on=D(2025, 1, 1),
        **(rhythm if kind == "structural" else {}),
    )


def visit(p, location, on, status="held", assignment=None):
    return Visit.objects.create(
        assignment=assignment,
        coach=p.coach,
        location=location,
        starts_at=_at(on, 9),
        ends_at=_at(on, 11),
        status=status,
    )


def agenda(v, topic="one_child", case=None):
    return AgendaItem.objects.create(visit=v, topic=topic, case=case, question="?")


def conversation(p, c, on, form, status="held"):
    return ParentConversation.objects.create(
        case=c, planned_on=on, form=form, status=status, expected_difficulty=1, planned_by=p.staff
    )


def consent(p, ch, on, decision="granted", withdrawn_on=None):
    return Consent.objects.create(
        child=ch,
        scope="observation_by_coach",
        decision=decision,
        decided_on=on,
        withdrawn_on=withdrawn_on,
        method="paper",
        recorded_by=p.staff,
    )


def placement(p, ch, setting, start, end=None):
    return Placement.objects.create(
        child=ch, setting=setting, place="x", start_date=start, end_date=end, recorded_by=p.staff
    )


def plan(p, c, version, due, approved_on=None, status="approved"):
    pl = Plan.objects.create(
        case=c, version=version, status=status, next_evaluation_date=due, created_by=p.staff
    )
    if approved_on:
        review = PlanReview.objects.create(plan=pl, action="approved", by=p.staff)
        PlanReview.objects.filter(pk=review.pk).update(at=_at(approved_on))
    return pl


def observation(p, c, on, **scales):
    return Observation.objects.create(
        case=c, observed_on=on, observer=p.coach, observer_role="coach", notes="x", **scales
    )


# --- reading figures --------------------------------------------------------------------------


def indicator(scope, key, filters=PERIOD):
    return next(i for i in compute_indicators(scope, filters) if i.key == key)


def figures(ind, columns=None):
    """{row label: [display, ...]} or, given column keys, {row label: {key: display}}."""
    result = {}
    for label, row in ind.table.rows:
        shown = [f.display for f in row]
        result[label] = dict(zip(columns, shown, strict=True)) if columns else shown
    return result


def column(ind, keys):
    """The first column read against the rows' keys (rows follow the choices' order)."""
    assert len(ind.table.rows) == len(keys)
    return {key: row[0].display for key, (_label, row) in zip(keys, ind.table.rows, strict=True)}


def pilot_scope(p):
    return sel.scope_for_pilot(p.pilot)


def only_figure(ind):
    ((_label, (fig,)),) = ind.table.rows
    return fig


# --- open cases, filters, subtraction ---------------------------------------------------------


def _open_cases_data(p):
    cases(p, p.a, 7)
    case(p, p.a, status="monitoring")
    case(p, p.a, closed=D(2026, 4, 10))  # closed after the period: open on its last day
    case(p, p.a, closed=D(2026, 2, 15))  # closed in the period
    case(p, p.a, opened=D(2026, 4, 5))  # opened after the period
    Case.objects.filter(pk=case(p, p.a).pk).update(status="closed")  # closed, no date
    cases(p, p.b, 3)
    cases(p, p.c, 20)


def test_open_cases_counts_cases_open_on_the_last_day_rounded_to_five(places):
    _open_cases_data(places)
    fig = only_figure(indicator(pilot_scope(places), "open_cases"))  # 12 cases
    assert (fig.display, fig.value) == ("10", 10)


def test_open_cases_by_scope(places):
    _open_cases_data(places)
    shown = {
        "location a": only_figure(indicator(sel.scope_for_location(places.a), "open_cases")),
        "location b": only_figure(indicator(sel.scope_for_location(places.b), "open_cases")),
        "other pilot": only_figure(
            indicator(sel.scope_for_pilot(places.other_pilot), "open_cases")
        ),
        "national": only_figure(indicator(sel.national_scope(), "open_cases")),
    }
    assert {k: f.display for k, f in shown.items()} == {
        "location a": "10",  # 9
        "location b": SMALL,  # 3
        "other pilot": "20",  # 20
        "national": "30",  # 32
    }


def test_a_case_closed_on_the_last_day_no_longer_counts_as_open(places):
    p = places
    cases(p, p.a, 4)
    case(p, p.a, closed=PERIOD.period_end)
    cases(p, p.b, 4)
    case(p, p.b, closed=PERIOD.period_end + datetime.timedelta(days=1))
    shown = [
        only_figure(indicator(sel.scope_for_location(location), "open_cases")).display
        for location in (p.a, p.b)
    ]
    assert shown == [SMALL, "5"]


@pytest.mark.parametrize(
    ("location_type", "municipality", "shown"),
    [
        ("", None, "10"),  # 12
        ("kdv", None, "10"),  # 9
        ("bso", None, SMALL),  # 3
        ("school", None, "0"),
        ("", "assen", "10"),  # 9
        ("", "tynaarlo", SMALL),  # 3
        ("bso", "assen", "0"),
    ],
)
def test_open_cases_filtered_by_location_type_and_municipality(
    places, location_type, municipality, shown
):
    _open_cases_data(places)
    filters = DashboardFilters(
        period_start=PERIOD.period_start,
        period_end=PERIOD.period_end,
        location_type=location_type,
        municipality_id=getattr(places, municipality).pk if municipality else None,
    )
    assert only_figure(indicator(pilot_scope(places), "open_cases", filters)).display == shown


def test_subtracting_a_filtered_figure_never_gives_back_a_small_count(places):
    _open_cases_data(places)  # 12 children in the pilot, 9 of them at a KDV, 3 at a BSO
    kdv = DashboardFilters(PERIOD.period_start, PERIOD.period_end, location_type="kdv")
    everyone = only_figure(indicator(pilot_scope(places), "open_cases"))
    at_kdv = only_figure(indicator(pilot_scope(places), "open_cases", kdv))
    assert (everyone.display, at_kdv.display) == ("10", "10")
    assert everyone.value - at_kdv.value not in range(1, 5)


# --- concerns ---------------------------------------------------------------------------------


def test_concerns_by_domain_counts_children_per_month_and_domain(places):
    p = places
    january = cases(p, p.a, 7)
    for c in january:
        concern(p, c, D(2026, 1, 12))
    concern(p, january[0], D(2026, 1, 20))  # the same child twice: still 7 children, not 8
    concern(p, january[1], D(2026, 4, 2))  # after the period
    concern(p, january[2], D(2025, 12, 31))  # before the period
    for c in cases(p, p.b, 2):
        concern(p, c, D(2026, 1, 31), domain="language")
    for c in cases(p, p.a, 8):
        concern(p, c, D(2026, 2, 1), domain="behaviour")
    for c in cases(p, p.c, 5):  # the other pilot
        concern(p, c, D(2026, 1, 12))

    zero = dict.fromkeys(Domain.values, "0")
    ind = indicator(pilot_scope(p), "concerns_by_domain")
    assert ind.chart == "line"
    assert figures(ind, Domain.values) == {
        "2026-01": {**zero, "social_emotional": "5", "language": SMALL},
        "2026-02": {**zero, "behaviour": "10"},
        "2026-03": zero,
    }
    bso = DashboardFilters(PERIOD.period_start, PERIOD.period_end, location_type="bso")
    assert figures(indicator(pilot_scope(p), "concerns_by_domain", bso), Domain.values)[
        "2026-01"
    ] == {**zero, "language": SMALL}


def test_concerns_by_domain_counts_a_child_with_two_cases_once_in_every_scope(places):
    p = places
    for c in cases(p, p.a, 6, closed=D(2026, 1, 10)):
        concern(p, c, D(2026, 1, 5))
        reopened = Case.objects.create(child=c.child, opened_by=p.staff)
        concern(p, reopened, D(2026, 1, 20))
    for c in cases(p, p.c, 5):  # the other pilot
        concern(p, c, D(2026, 1, 12))

    # Counted per case, the pilot would show 10 and the nation 15.
    national = figures(indicator(sel.national_scope(), "concerns_by_domain"), Domain.values)
    pilot = figures(indicator(pilot_scope(p), "concerns_by_domain"), Domain.values)
    assert (national["2026-01"]["social_emotional"], pilot["2026-01"]["social_emotional"]) == (
        "10",
        "5",
    )


# --- lead time --------------------------------------------------------------------------------


def test_lead_time_is_the_median_days_to_the_first_held_visit_about_the_child(places):
    p = places
    lead_days = [3, 5, 7, 8, 10, 12, 14, 20, 30, 40]
    first = D(2026, 1, 5)
    timed = cases(p, p.a, len(lead_days))
    for c, days in zip(timed, lead_days, strict=True):
        concern(p, c, first)
        concern(p, c, first + datetime.timedelta(days=1))  # a later concern changes nothing
        agenda(visit(p, p.a, first + datetime.timedelta(days=days)), case=c)
        agenda(visit(p, p.a, first + datetime.timedelta(days=days + 7)), case=c)  # later again
    # Visits that were not held are no contact.
    agenda(visit(p, p.a, first + datetime.timedelta(days=1), status="planned"), case=timed[-1])
    agenda(visit(p, p.a, first + datetime.timedelta(days=2), status="cancelled"), case=timed[-1])
    for c in cases(p, p.b, 2):  # still waiting for a coach contact
        concern(p, c, D(2026, 3, 1))
    before = case(p, p.a)  # first concern before the period
    concern(p, before, D(2025, 12, 1))
    agenda(visit(p, p.a, D(2026, 1, 2)), case=before)
    other = case(p, p.c)  # other pilot
    concern(p, other, first)
    agenda(visit(p, p.c, first + datetime.timedelta(days=100)), case=other)

    ind = indicator(pilot_scope(p), "lead_time")
    assert ind.chart == "number"
    assert [row[0].display for _label, row in ind.table.rows] == ["11", "10", SMALL]
    assert ind.table.rows[0][1][0].value == 11


def test_lead_time_median_is_hidden_under_ten_children(places):
    p = places
    for c in cases(p, p.a, 9):
        concern(p, c, D(2026, 1, 5))
        agenda(visit(p, p.a, D(2026, 1, 9)), case=c)
    ind = indicator(pilot_scope(p), "lead_time")
    assert [row[0].display for _label, row in ind.table.rows] == [HIDDEN, "10", "0"]


# --- coaching ---------------------------------------------------------------------------------


def test_visit_coverage_per_location_planned_against_held(places):
    p = places
    structural_a, structural_b = assignment(p, p.a), assignment(p, p.b)
    on_request = assignment(p, p.a, kind="on_request")
    days = [D(2026, 1, 6) + datetime.timedelta(weeks=w) for w in range(12)]
    for day, status in zip(
        days[:10], ["held"] * 5 + ["cancelled"] * 3 + ["planned"] * 2, strict=True
    ):
        visit(p, p.a, day, status, assignment=structural_a)
    for day in days[:3]:
        visit(p, p.a, day, "held", assignment=on_request)  # not structural
    visit(p, p.a, D(2026, 4, 7), "held", assignment=structural_a)  # after the period
    for day, status in zip(days, ["held"] * 9 + ["cancelled"] * 3, strict=True):
        visit(p, p.b, day, status, assignment=structural_b)
    for day in days:
        visit(p, p.c, day, "held", assignment=assignment(p, p.c))

    ind = indicator(pilot_scope(p), "visit_coverage")
    assert figures(ind) == {
        "Alfa KDV": ["10", "5", "50%"],
        "Beta BSO": ["10", "10", HIDDEN],  # 9 of 12: the 3 not held are too few to show
    }
    ind = indicator(sel.national_scope(), "visit_coverage")
    assert figures(ind)["Gamma KDV"] == ["10", "10", "100%"]


def test_agenda_topics_count_questions_of_held_visits(places):
    p = places
    held, cancelled = visit(p, p.a, D(2026, 2, 3)), visit(p, p.a, D(2026, 2, 10), "cancelled")
    for c in cases(p, p.a, 6):
        agenda(held, "one_child", case=c)
    for _ in range(3):
        agenda(held, "group_climate")
    for _ in range(5):
        agenda(held, "child_in_group")
        agenda(cancelled, "group_climate")
        agenda(visit(p, p.c, D(2026, 2, 3)), "parents")
    agenda(visit(p, p.a, D(2026, 5, 3)), "parents")  # after the period

    ind = indicator(pilot_scope(p), "agenda_topics")
    assert column(ind, Topic.values) == {
        "one_child": "5",
        "child_in_group": "5",
        "group_climate": SMALL,
        "parents": "0",
    }


# --- parents ----------------------------------------------------------------------------------


def test_conversations_by_form_count_held_conversations(places):
    p = places
    cs = cases(p, p.a, 5)
    for c in cs:
        conversation(p, c, D(2026, 2, 1), "coach_leads")
        conversation(p, c, D(2026, 2, 8), "coach_leads", status="planned")
        conversation(p, c, D(2026, 6, 8), "together")  # after the period
    for c in cs[:2]:
        conversation(p, c, D(2026, 3, 1), "together")
    for c in cases(p, p.c, 5):
        conversation(p, c, D(2026, 2, 1), "staff_alone")

    ind = indicator(pilot_scope(p), "conversations_by_form")
    assert column(ind, ConversationForm.values) == {
        "coach_leads": "5",
        "together": SMALL,
        "staff_alone": "0",
    }


def test_consents_granted_refused_withdrawn_in_the_period(places):
    p = places
    for _ in range(6):
        consent(p, child(p.a), D(2026, 1, 10))
    consent(p, child(p.a), D(2026, 1, 10), "withdrawn", withdrawn_on=D(2026, 2, 1))
    consent(p, child(p.a), D(2025, 12, 1), "withdrawn", withdrawn_on=D(2026, 3, 1))
    for _ in range(5):
        consent(p, child(p.b), D(2026, 2, 2), "refused")
    consent(p, child(p.a), D(2026, 4, 2))  # after the period
    for _ in range(5):
        consent(p, child(p.c), D(2026, 1, 10), "withdrawn", withdrawn_on=D(2026, 2, 1))

    ind = indicator(pilot_scope(p), "consents")
    assert column(ind, ["granted", "refused", "withdrawn"]) == {
        "granted": "5",  # 7, one of them withdrawn since
        "refused": "5",
        "withdrawn": SMALL,  # 2
    }


# --- placements, plans, well-being ------------------------------------------------------------


def test_placements_shares_of_children_with_a_case(places):
    p = places
    cs = cases(p, p.a, 15)
    for c in cs[:5]:
        placement(p, c.child, "plus_group", D(2026, 2, 1))
    for c in cs[5:7]:
        placement(p, c.child, "day_treatment", D(2026, 1, 10), D(2026, 2, 20))
        placement(p, c.child, "regular_group", D(2026, 2, 21))
    for c in cs[7:9]:
        placement(p, c.child, "regular_group", D(2025, 9, 1))  # regular from the start
    closed = case(p, p.a, opened=D(2025, 6, 1), closed=D(2025, 12, 1))  # no case in the period
    placement(p, closed.child, "plus_group", D(2026, 2, 1))
    for c in cases(p, p.c, 10):
        placement(p, c.child, "plus_group", D(2026, 2, 1))

    ind = indicator(pilot_scope(p), "placements")
    assert [[f.display for f in row] for _label, row in ind.table.rows] == [
        ["10", "53%"],  # stayed in regular care: 8 of 15
        ["5", "33%"],  # moved to a plus group: 5
        [SMALL, HIDDEN],  # moved to day treatment: 2
        ["0", "0%"],  # moved to special education
        [SMALL, HIDDEN],  # returned to regular care: 2
        ["15", HIDDEN],  # children with a case
    ]


def test_plans_on_time_compares_the_due_date_with_the_next_approval(places):
    p = places
    due = D(2026, 2, 15)
    cs = cases(p, p.a, 10)
    for c, approved in zip(cs[:5], [D(2026, 2, 10)] * 4 + [due], strict=True):  # on time
        plan(p, c, 1, due, approved_on=D(2025, 12, 15))
        plan(p, c, 2, D(2026, 6, 1), approved_on=approved)
    plan(p, cs[5], 1, due, approved_on=D(2025, 12, 15))
    plan(p, cs[5], 2, D(2026, 6, 1), approved_on=D(2026, 2, 16))  # a day late
    for c in cs[6:]:
        plan(p, c, 1, due, approved_on=D(2025, 12, 15))  # never evaluated
    plan(p, cs[6], 2, D(2026, 3, 1), status="draft")  # a draft is not due
    plan(p, case(p, p.a), 1, D(2026, 5, 1), approved_on=D(2026, 1, 1))  # due after the period
    for c in cases(p, p.c, 5):
        plan(p, c, 1, due, approved_on=D(2025, 12, 15))

    ind = indicator(pilot_scope(p), "plans_on_time")
    assert [row[0].display for _label, row in ind.table.rows] == ["10", "5", "50%"]


def test_wellbeing_trend_shows_a_mean_from_five_children(places):
    p = places
    cs = cases(p, p.a, 5)
    for c, self_score in zip(cs, [3, 4, 4, 5, 2], strict=True):
        observation(p, c, D(2026, 1, 15), wellbeing_self=self_score)
    for c in cs[:4]:
        observation(p, c, D(2026, 1, 20), wellbeing_with_staff=4)
        observation(p, c, D(2026, 2, 20), wellbeing_self=1)
    observation(p, cs[0], D(2026, 1, 25), wellbeing_self=1)  # 6 values, 5 children
    for c in cases(p, p.c, 5):
        observation(p, c, D(2026, 2, 20), wellbeing_self=5)

    ind = indicator(pilot_scope(p), "wellbeing_trend")
    values = {label: [f.value for f in row] for label, row in ind.table.rows}
    assert values == {
        "2026-01": [3.2, None, None],  # 19 / 6
        "2026-02": [None, None, None],  # 4 children
        "2026-03": [None, None, None],
    }
    assert ind.table.rows[0][1][0].display == "3,2"  # Dutch, the default language


# --- scope isolation, queries, cache ----------------------------------------------------------


def test_the_other_pilots_data_never_counts(places):
    p = places
    for c in cases(p, p.c, 12):
        concern(p, c, D(2026, 1, 5))
        agenda(visit(p, p.c, D(2026, 1, 9), assignment=None), case=c)
        conversation(p, c, D(2026, 2, 1), "together")
        consent(p, c.child, D(2026, 1, 10))
        placement(p, c.child, "plus_group", D(2026, 2, 1))
        plan(p, c, 1, D(2026, 2, 1), approved_on=D(2025, 12, 1))
        observation(p, c, D(2026, 1, 15), wellbeing_self=4)

    def shown(scope):
        return {
            i.key: [f.display for _label, row in i.table.rows for f in row]
            for i in compute_indicators(scope, PERIOD)
        }

    ours, theirs = shown(pilot_scope(p)), shown(sel.scope_for_pilot(p.other_pilot))
    assert all(d in ("0", HIDDEN, "0%") for figs in ours.values() for d in figs), ours
    assert theirs["open_cases"] == ["10"]
    assert theirs["lead_time"] == ["4", "10", "0"]
    assert shown(sel.national_scope()) == theirs | {
        "visit_coverage": ours["visit_coverage"] + theirs["visit_coverage"]
    }


def _every_kind_of_row(p, location, n):
    for c in cases(p, location, n):
        concern(p, c, D(2026, 1, 5))
        concern(p, c, D(2026, 2, 5), domain="language")
        agenda(visit(p, location, D(2026, 1, 9), assignment=assignment(p, location)), case=c)
        conversation(p, c, D(2026, 2, 1), "together")
        consent(p, c.child, D(2026, 1, 10))
        consent(p, c.child, D(2025, 6, 1), decision="withdrawn", withdrawn_on=D(2026, 2, 2))
        placement(p, c.child, "plus_group", D(2026, 2, 1))
        plan(p, c, 1, D(2026, 2, 1), approved_on=D(2025, 12, 1))
        observation(p, c, D(2026, 1, 15), wellbeing_self=4)


def _shown(scope):
    cache.clear()
    return [
        (i.key, [(label, [f.display for f in row]) for label, row in i.table.rows])
        for i in compute_indicators(scope, PERIOD)
    ]


def test_a_location_outside_every_pilot_never_counts_nationally(places):
    p = places
    _every_kind_of_row(p, p.a, 6)
    _every_kind_of_row(p, p.c, 7)
    # Every location lies in a pilot: no row needs its child's group tested.
    every_pilot = _shown(sel.national_scope())
    loose = Location.objects.create(organisation=p.org, name="Zonder pilot", location_type="kdv")
    Group.objects.create(location=loose, name="Groep", age_band="0-4", capacity=12)
    _every_kind_of_row(p, loose, 5)
    assert _shown(sel.national_scope()) == every_pilot
    assert dict(every_pilot)["open_cases"] == [(str(sel.national_scope().label), ["15"])]


def test_national_figures_do_not_depend_on_how_the_scope_is_tested(places, monkeypatch):
    import pilots.indicators

    p = places
    _every_kind_of_row(p, p.a, 6)
    _every_kind_of_row(p, p.b, 3)
    _every_kind_of_row(p, p.c, 7)
    for c in Case.objects.all()[:4]:  # a child with a second case counts once
        Case.objects.filter(pk=c.pk).update(status="closed", closed_at=_at(D(2026, 1, 20)))
        concern(p, Case.objects.create(child=c.child, opened_by=p.staff), D(2026, 1, 25))
    without_filter = _shown(sel.national_scope())
    monkeypatch.setattr(pilots.indicators, "_every_location_counts", lambda scope, filters: False)
    assert _shown(sel.national_scope()) == without_filter
    assert any(d not in ("0", HIDDEN) for _key, rows in without_filter for _l, r in rows for d in r)


def test_side_by_side_this_thread_takes_the_first_task_and_results_keep_their_order():
    import threading

    from pilots.indicators import _side_by_side

    ran_on = {}

    def task(n):
        def run():
            ran_on[n] = threading.current_thread()
            return n * 10

        return run

    for _ in range(5):
        results = _side_by_side([task(n) for n in range(6)], 2, [4, 0, 5, 1, 2, 3])
        assert results == [0, 10, 20, 30, 40, 50]
        assert ran_on[4] is threading.current_thread()


def test_indicators_are_started_longest_first_each_once():
    from pilots.indicators import INDICATORS, LONGEST_FIRST

    assert sorted(LONGEST_FIRST, key=INDICATORS.index) == list(INDICATORS)


def _spread_over_locations(p, count):
    pilot = Pilot.objects.create(
        name=f"Pilot {count}", track="day_care", municipality=p.assen, start_date=D(2025, 1, 1)
    )
    for n in range(count):
        location = _location(p, f"Locatie {count}-{n}", "kdv", p.assen, pilot)
        c = case(p, location)
        concern(p, c, D(2026, 1, 5))
        v = visit(p, location, D(2026, 1, 9), assignment=assignment(p, location))
        agenda(v, case=c)
        conversation(p, c, D(2026, 2, 1), "together")
        consent(p, c.child, D(2026, 1, 10))
        placement(p, c.child, "plus_group", D(2026, 2, 1))
        plan(p, c, 1, D(2026, 2, 1), approved_on=D(2025, 12, 1))
        observation(p, c, D(2026, 1, 15), wellbeing_self=4)
    return sel.scope_for_pilot(pilot)


def _queries(scope):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        indicators = compute_indicators(scope, PERIOD)
    assert len(indicators) == 10
    return len(ctx.captured_queries)


def test_query_count_does_not_depend_on_the_number_of_locations(places):
    few, many = _spread_over_locations(places, 2), _spread_over_locations(places, 12)
    assert _queries(few) == _queries(many) == 10
    # Nationally one more: whether every location lies in a pilot.
    assert _queries(sel.national_scope()) == 11


def test_results_are_cached_per_scope_filters_and_language(places):
    scope = pilot_scope(places)
    compute_indicators(scope, PERIOD)
    with CaptureQueriesContext(connection) as ctx:
        compute_indicators(scope, PERIOD)
    assert len(ctx.captured_queries) == 0
    with CaptureQueriesContext(connection) as ctx, translation.override("en"):
        compute_indicators(scope, PERIOD)
    assert len(ctx.captured_queries) == 10
    kdv = DashboardFilters(PERIOD.period_start, PERIOD.period_end, location_type="kdv")
    with CaptureQueriesContext(connection) as ctx:
        compute_indicators(scope, kdv)
    assert len(ctx.captured_queries) == 10


def test_every_indicator_has_a_title_an_explanation_and_a_known_chart(places):
    indicators = compute_indicators(pilot_scope(places), PERIOD)
    assert [i.key for i in indicators] == [
        "open_cases",
        "concerns_by_domain",
        "lead_time",
        "visit_coverage",
        "agenda_topics",
        "conversations_by_form",
        "consents",
        "placements",
        "plans_on_time",
        "wellbeing_trend",
    ]
    for i in indicators:
        assert i.title and i.explanation and i.chart in ("line", "bar", "number")
        assert all(len(row) == len(i.table.columns) - 1 for _label, row in i.table.rows)


# --- who may open which dashboard -------------------------------------------------------------


def test_dashboard_selectors_follow_roles(places):
    p = places
    leader, manager, staff_member, outsider = (
        make_user(name) for name in ("leader", "manager", "programme", "outsider")
    )
    p.pilot.project_leaders.add(leader)
    add_membership(manager, p.org, Role.LOCATION_MANAGER, locations=[p.a, p.b])
    former = make_user("former")
    add_membership(former, p.org, Role.LOCATION_MANAGER, locations=[p.c])
    Membership.objects.filter(user=former).update(start_date=D(2024, 1, 1), end_date=D(2025, 1, 1))
    add_membership(staff_member, p.org, Role.PROGRAMME_STAFF)
    add_membership(outsider, p.org, Role.PEDAGOGICAL_STAFF, groups=[p.a.groups.get()])

    assert list(sel.pilots_for_dashboard(leader)) == [p.pilot]
    assert set(sel.pilots_for_dashboard(staff_member)) == {p.pilot, p.other_pilot}
    assert not sel.pilots_for_dashboard(outsider).exists()
    assert list(sel.locations_for_dashboard(manager)) == [p.a, p.b]
    assert not sel.locations_for_dashboard(former).exists()
    assert not sel.locations_for_dashboard(leader).exists()
    assert [sel.can_see_national(u) for u in (leader, manager, staff_member, outsider)] == [
        False,
        False,
        True,
        False,
    ]


def test_anonymous_users_open_no_dashboard(places):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not sel.pilots_for_dashboard(anonymous).exists()
    assert not sel.locations_for_dashboard(anonymous).exists()
    assert sel.can_see_national(anonymous) is False


def test_locations_in_scope(places):
    p = places
    loose = Location.objects.create(organisation=p.org, name="Zonder pilot", location_type="kdv")

    def names(scope, **filters):
        f = DashboardFilters(PERIOD.period_start, PERIOD.period_end, **filters)
        return sorted(sel.locations_in_scope(scope, f).values_list("name", flat=True))

    assert names(pilot_scope(p)) == ["Alfa KDV", "Beta BSO"]
    assert names(sel.scope_for_location(p.b)) == ["Beta BSO"]
    assert names(sel.scope_for_location(loose)) == ["Zonder pilot"]
    assert names(sel.national_scope()) == ["Alfa KDV", "Beta BSO", "Gamma KDV"]
    assert names(sel.national_scope(), location_type="kdv") == ["Alfa KDV", "Gamma KDV"]
    assert names(sel.national_scope(), municipality_id=p.tynaarlo.pk) == ["Beta BSO"]
    assert names(sel.scope_for_location(p.b), location_type="kdv") == []


def _every_figure(indicators):
    return [(i.key, i.title, i.table.columns, figures(i)) for i in indicators]


@pytest.mark.django_db(transaction=True)
def test_indicators_computed_side_by_side_equal_those_computed_one_by_one(places, settings):
    from django.db.backends.signals import connection_created

    from pilots.indicators import compute_uncached

    _open_cases_data(places)
    for n, c in enumerate(Case.objects.all()[:8]):
        concern(places, c, D(2026, 1 + n % 3, 10), domain="language" if n % 2 else "motor")
    scope = sel.national_scope()
    opened = []

    def note(sender, **kwargs):
        opened.append(sender)

    # In English, not the site's Dutch: the other thread must speak it too.
    with translation.override("en"):
        settings.DASHBOARD_QUERY_THREADS = 1
        one_by_one = _every_figure(compute_uncached(scope, PERIOD))
        settings.DASHBOARD_QUERY_THREADS = 2
        connection_created.connect(note)
        try:
            side_by_side = _every_figure(compute_uncached(scope, PERIOD))
        finally:
            connection_created.disconnect(note)
    assert opened  # a second connection did part of the work
    assert side_by_side == one_by_one
    assert any(figures != {} for *_, figures in side_by_side)


def test_inside_a_transaction_indicators_are_computed_on_its_connection(places, settings):
    from django.db.backends.signals import connection_created

    from pilots.indicators import compute_uncached

    _open_cases_data(places)  # not committed: another connection would not see it
    opened = []

    def note(sender, **kwargs):
        opened.append(sender)

    settings.DASHBOARD_QUERY_THREADS = 2
    connection_created.connect(note)
    try:
        shown = only_figure(
            next(i for i in compute_uncached(pilot_scope(places), PERIOD) if i.key == "open_cases")
        )
    finally:
        connection_created.disconnect(note)
    assert not opened
    assert shown.display == "10"
