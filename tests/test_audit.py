"""The audit trail (NEN 7513): lists, searches, prints, exports and refusals are
written with who, acting as what, what, outcome and from where — never content."""

import datetime
import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import CharField, TextField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alert4you import audit
from alert4you.models import AuditEntry
from casework.models import AccessLogEntry
from pilots.models import Role

from .conftest import add_membership, add_parents, make_user

pytestmark = pytest.mark.django_db

IP = "192.0.2.7"
DENIED = AccessLogEntry.Outcome.DENIED


def _case_url(name, case):
    return reverse(f"casework:{name}", kwargs={"case_uuid": case.uuid})


def _rows(model, **filters):
    return list(model.objects.filter(**filters).order_by("id"))


# --- lists and searches ------------------------------------------------------------------------


def test_the_case_list_logs_each_case_it_shows_with_who_and_from_where(client, cases):
    w = cases
    client.force_login(w.manager)
    assert client.get(reverse("casework:case-list"), REMOTE_ADDR=IP).status_code == 200
    rows = _rows(AccessLogEntry, user=w.manager)
    assert sorted(row.case_id for row in rows) == sorted([w.case_a.pk, w.case_b.pk])
    for row in rows:
        assert row.action == AccessLogEntry.Action.LISTED
        assert row.outcome == AccessLogEntry.Outcome.ALLOWED
        assert row.ip_address == IP
        assert row.path == reverse("casework:case-list")
        assert row.acting_as == audit.acting_as(w.manager)
        assert "Speelwerk" in row.acting_as
        assert row.at is not None and row.at.utcoffset().total_seconds() == 0


def test_a_pm_lists_only_what_they_see_and_only_that_is_logged(client, cases):
    w = cases
    client.force_login(w.pm_a)
    client.get(reverse("casework:case-list"))
    assert [row.case_id for row in _rows(AccessLogEntry, user=w.pm_a)] == [w.case_a.pk]


def test_the_case_list_writes_its_log_in_one_insert(client, cases):
    w = cases
    client.force_login(w.manager)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("casework:case-list"))
    inserts = [
        q
        for q in ctx.captured_queries
        # Written out and prepared (alert4you.sql.execute_prepared).
        if q["sql"].startswith("EXECUTE insert_access_log_")
        or 'INSERT INTO "casework_accesslogentry"' in q["sql"]
    ]
    assert len(inserts) == 1
    assert AccessLogEntry.objects.filter(user=w.manager).count() == 2


def test_a_search_is_logged_as_a_search_without_the_search_term(client, cases):
    w = cases
    client.force_login(w.manager)
    response = client.get(reverse("casework:case-list"), {"q": "Mieke"}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    row = AccessLogEntry.objects.get(user=w.manager)
    assert (row.case_id, row.action, row.ip_address) == (
        w.case_a.pk,
        AccessLogEntry.Action.SEARCH,
        IP,
    )
    assert "Mieke" not in row.path and "?" not in row.path


def test_filtering_the_list_counts_as_a_search(client, cases):
    w = cases
    client.force_login(w.manager)
    client.get(reverse("casework:case-list"), {"status": "open"})
    assert set(AccessLogEntry.objects.values_list("action", flat=True)) == {"search"}


def test_only_the_page_shown_is_logged_and_an_empty_list_logs_nothing(client, cases):
    w = cases
    client.force_login(w.outsider)
    client.get(reverse("casework:case-list"))
    assert not AccessLogEntry.objects.exists()


def test_the_expiring_consents_list_logs_the_cases_of_the_children_it_names(client, cases):
    import datetime

    from django.utils import timezone

    from parents.models import Scope

    from .conftest import grant_consent

    w = cases
    add_parents(w.child_a, actor=w.pm_a)
    grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope=Scope.OBSERVATION_BY_COACH,
        valid_until=timezone.localdate() + datetime.timedelta(days=10),
    )
    client.force_login(w.pm_a)
    page = client.get(reverse("parents:consents-expiring"))
    assert page.status_code == 200 and "Mieke" in page.content.decode()
    row = AccessLogEntry.objects.get(user=w.pm_a)
    assert (row.case_id, row.action) == (w.case_a.pk, AccessLogEntry.Action.LISTED)


# --- print and export --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "action"), [("case-print", "print"), ("case-export", "export")])
def test_print_and_export_are_logged(client, cases, name, action):
    w = cases
    client.force_login(w.pm_a)
    assert client.get(_case_url(name, w.case_a), REMOTE_ADDR=IP).status_code == 200
    row = AccessLogEntry.objects.get(user=w.pm_a)
    assert (row.case_id, row.action, row.outcome, row.ip_address) == (
        w.case_a.pk,
        action,
        "allowed",
        IP,
    )
    assert row.acting_as == audit.acting_as(w.pm_a) != ""


# --- refusals ----------------------------------------------------------------------------------


def test_a_refused_existing_case_is_logged_in_its_access_log(client, cases):
    w = cases
    client.force_login(w.pm_b)
    assert client.get(w.case_a.get_absolute_url(), REMOTE_ADDR=IP).status_code == 404
    row = AccessLogEntry.objects.get()
    assert (row.user, row.case_id, row.action, row.outcome, row.ip_address) == (
        w.pm_b,
        w.case_a.pk,
        "view",
        DENIED,
        IP,
    )
    assert row.path == w.case_a.get_absolute_url()
    assert row.acting_as == audit.acting_as(w.pm_b)
    assert not AuditEntry.objects.exists()


def test_a_missing_permission_on_a_visible_case_is_logged_as_denied(client, cases):
    w = cases
    client.force_login(w.pm_a)
    assert client.get(_case_url("case-access-log", w.case_a)).status_code == 403
    row = AccessLogEntry.objects.get()
    assert (row.user, row.action, row.outcome) == (w.pm_a, "access_log", DENIED)


def test_a_refused_change_page_is_logged_as_a_change(client, cases):
    w = cases
    client.force_login(w.outsider)
    assert client.get(_case_url("observation-create", w.case_a)).status_code == 404
    row = AccessLogEntry.objects.get()
    assert (row.user, row.action, row.outcome) == (w.outsider, "change", DENIED)


def test_a_case_that_does_not_exist_is_logged_as_refused_with_its_page(client, cases):
    w = cases
    missing = uuid.uuid4()
    client.force_login(w.pm_a)
    url = reverse("casework:case-detail", kwargs={"case_uuid": missing})
    assert client.get(url, REMOTE_ADDR=IP).status_code == 404
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.outcome, entry.subject, entry.path) == (
        w.pm_a,
        AuditEntry.Action.ACCESS_DENIED,
        AuditEntry.Outcome.DENIED,
        f"case {missing}",
        url,
    )
    assert entry.ip_address == IP
    assert entry.organisation == w.childcare  # the user's only organisation
    assert entry.acting_as == audit.acting_as(w.pm_a)
    assert not AccessLogEntry.objects.exists()


def test_each_refusal_costs_one_insert(client, cases):
    w = cases
    client.force_login(w.pm_b)
    with CaptureQueriesContext(connection) as ctx:
        client.get(w.case_a.get_absolute_url())
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1


def test_a_refused_group_page_is_logged_by_kind_and_uuid(client, cases):
    w = cases
    client.force_login(w.outsider)
    url = reverse("coaching:group-detail", kwargs={"group_uuid": w.group_a.uuid})
    assert client.get(url).status_code == 404
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.subject, entry.outcome) == (
        w.outsider,
        f"group {w.group_a.uuid}",
        DENIED,
    )


def test_refused_dashboards_are_logged(client, world):
    client.force_login(world.pm_a)
    assert client.get(reverse("dashboards:pilot", args=[world.pilot.uuid])).status_code == 404
    assert client.get(reverse("dashboards:national")).status_code == 404
    subjects = set(AuditEntry.objects.values_list("subject", "outcome", "user"))
    assert subjects == {
        (f"pilot dashboard {world.pilot.uuid}", DENIED, world.pm_a.pk),
        ("national dashboard ", DENIED, world.pm_a.pk),
    }


def test_a_refused_guardian_is_logged_without_a_name(client, cases):
    w = cases
    guardian = add_parents(w.child_a, actor=w.pm_a)[0]
    client.force_login(w.pm_b)
    url = reverse("parents:guardian-edit", kwargs={"guardian_uuid": guardian.uuid})
    assert client.get(url).status_code == 404
    entry = AuditEntry.objects.get()
    assert entry.subject == f"guardian {guardian.uuid}"


def test_a_refused_child_is_logged_by_uuid(client, cases):
    w = cases
    client.force_login(w.pm_b)
    url = reverse("parents:child-consents", kwargs={"child_uuid": w.child_a.uuid})
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.get().subject == f"child {w.child_a.uuid}"


def test_allowed_pages_write_no_refusal(client, cases):
    w = cases
    client.force_login(w.pm_a)
    client.get(w.case_a.get_absolute_url())
    assert not AuditEntry.objects.exists()
    assert not AccessLogEntry.objects.filter(outcome=DENIED).exists()


# --- never content -----------------------------------------------------------------------------


def _text_values(model):
    fields = [f.name for f in model._meta.concrete_fields if isinstance(f, CharField | TextField)]
    for row in model.objects.values(*fields):
        yield from (str(value) for value in row.values())


def test_no_log_row_holds_a_child_name_or_search_term(client, cases):
    w = cases
    guardian = add_parents(w.child_a, actor=w.pm_a)[0]
    client.force_login(w.manager)
    client.get(reverse("casework:case-list"))
    client.get(reverse("casework:case-list"), {"q": "Mieke Testkind"})
    client.get(reverse("casework:case-list"), {"q": "Ayoub"})
    client.get(_case_url("case-print", w.case_a))
    client.get(_case_url("case-export", w.case_b))
    client.force_login(w.pm_b)
    client.get(w.case_a.get_absolute_url())
    client.get(reverse("casework:case-detail", kwargs={"case_uuid": uuid.uuid4()}))
    client.get(reverse("parents:guardian-edit", kwargs={"guardian_uuid": guardian.uuid}))
    assert AccessLogEntry.objects.count() >= 6 and AuditEntry.objects.count() >= 2
    names = {"Mieke", "Testkind", "Ayoub", "Proefkind", "Moeder", "Vader"}
    texts = list(_text_values(AccessLogEntry)) + list(_text_values(AuditEntry))
    for text in texts:
        assert not any(name.lower() in text.lower() for name in names), text


# --- who and from where ------------------------------------------------------------------------


def test_acting_as_names_every_current_role_and_organisation(world):
    w = world
    add_membership(w.coach, w.childcare, Role.LOCATION_MANAGER, locations=[w.location])
    text = audit.acting_as(w.coach)
    assert "Speelwerk" in text and "Yorneo" in text
    assert audit.acting_as(make_user("nobody")) == ""


def test_acting_as_leaves_out_ended_and_future_roles_and_orders_by_organisation(world):
    w = world
    today = timezone.localdate()
    ended = add_membership(w.coach, w.childcare, Role.LOCATION_MANAGER, locations=[w.location])
    ended.start_date, ended.end_date = today - datetime.timedelta(30), today - datetime.timedelta(1)
    ended.save()
    assert "Speelwerk" not in audit.acting_as(w.coach)
    ended.start_date, ended.end_date = today + datetime.timedelta(1), None
    ended.save()
    assert "Speelwerk" not in audit.acting_as(w.coach)
    ended.start_date, ended.end_date = today, today  # its last day
    ended.save()
    names = [part.split("(")[1].rstrip(")") for part in audit.acting_as(w.coach).split("; ")]
    assert "Speelwerk" in names and names == sorted(names)


def test_acting_as_is_read_once_per_request(rf, world):
    request = rf.get("/")
    request.user = world.pm_a
    audit.acting_as(world.pm_a, request)
    with CaptureQueriesContext(connection) as ctx:
        audit.acting_as(world.pm_a, request)
    assert len(ctx.captured_queries) == 0


def test_the_address_is_the_peer_unless_proxies_are_trusted(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
    settings.AUDIT_TRUSTED_PROXY_COUNT = 0
    assert audit.client_ip(request) == "10.0.0.5"  # a forged header is not believed
    settings.AUDIT_TRUSTED_PROXY_COUNT = 1
    assert audit.client_ip(request) == "198.51.100.4"
    settings.AUDIT_TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: the peer
    assert audit.client_ip(request) == "10.0.0.5"
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip")
    settings.AUDIT_TRUSTED_PROXY_COUNT = 1
    assert audit.client_ip(garbage) == "10.0.0.5"


def test_the_database_stores_times_in_utc(settings):
    assert settings.USE_TZ is True


def test_a_system_run_is_recorded_without_a_user(db):
    entry = audit.audit_record(user=None, action=AuditEntry.Action.RETENTION_RUN, subject="3")
    assert entry.user is None and entry.acting_as == "" and entry.path == ""


# --- append-only -------------------------------------------------------------------------------


def test_audit_entries_cannot_be_changed_or_deleted_through_django(world):
    entry = audit.audit_record(
        user=world.pm_a, action=AuditEntry.Action.ACCESS_DENIED, subject="case x"
    )
    entry.subject = "other"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.parametrize(
    ("table", "make"),
    [
        (
            "casework_accesslogentry",
            lambda w: audit.case_access_record(user=w.pm_a, case=w.case_a, action="view"),
        ),
        (
            "alert4you_auditentry",
            lambda w: audit.audit_record(
                user=w.pm_a, action=AuditEntry.Action.AUDIT_LOG_VIEW, subject="Speelwerk"
            ),
        ),
    ],
)
def test_the_database_refuses_to_update_or_delete_log_rows(cases, table, make):
    if connection.vendor != "postgresql":
        pytest.skip("The append-only triggers exist in PostgreSQL only.")
    entry = make(cases)
    for sql in (
        f"UPDATE {table} SET ip_address = '203.0.113.9' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    # Bulk paths are refused as well.
    model = type(entry)
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            model.objects.filter(pk=entry.pk).update(path="/elsewhere/")
    # Adding still works, and the row is as it was.
    make(cases)
    assert model.objects.count() == 2
    assert model.objects.get(pk=entry.pk).ip_address is None
