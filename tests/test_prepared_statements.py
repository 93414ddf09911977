"""The hot written-out queries run as prepared statements on PostgreSQL
(`alert4you.sql.execute_prepared`): same rows as the plain query, prepared once
per connection, and neither counted nor logged as a query of their own."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from alert4you import sql
from casework import selectors as case_selectors

QUERY = "SELECT %s::int + n FROM generate_series(1, 3) n WHERE %s LIKE 'a%%'"


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _run(params):
    with connection.cursor() as cursor:
        sql.execute_prepared(cursor, "test_sum", QUERY, params)
        return [n for (n,) in cursor.fetchall()]


@pytest.mark.django_db
def test_a_prepared_query_gives_the_rows_of_the_plain_one_and_is_prepared_once():
    with CaptureQueriesContext(connection) as queries:
        assert _run([10, "abc"]) == [11, 12, 13]
        assert _run([20, "abc"]) == [21, 22, 23]
        assert _run([20, "xyz"]) == []
    # One query each: the PREPARE goes unseen, and only the first time.
    assert len(queries) == 3
    assert all(q["sql"].startswith("EXECUTE test_sum_") for q in queries.captured_queries)
    assert len({name for name in _prepared_names() if name.startswith("test_sum_")}) == 1


@pytest.mark.django_db
def test_a_statement_prepared_in_a_rolled_back_transaction_is_still_there():
    with transaction.atomic():
        assert _run([1, "a"]) == [2, 3, 4]
        transaction.set_rollback(True)
    assert _run([2, "a"]) == [3, 4, 5]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    assert _run([1, "a"]) == [2, 3, 4]
    connection.close()
    assert _run([5, "a"]) == [6, 7, 8]


@pytest.mark.django_db
def test_switched_off_it_runs_the_plain_query(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        assert _run([10, "abc"]) == [11, 12, 13]
    assert queries.captured_queries[0]["sql"].startswith("SELECT 10::int")


@pytest.mark.django_db
def test_in_values_is_one_array_however_many_values():
    for values in ([], [2], [1, 2, 3]):
        condition, params = sql.in_values("n", values)
        assert condition == "n = ANY(%s)" and params == [values]
        with connection.cursor() as cursor:
            sql.execute_prepared(
                cursor,
                "test_in",
                f"SELECT n FROM generate_series(1, 3) n WHERE {condition} ORDER BY n",
                params,
            )
            assert [n for (n,) in cursor.fetchall()] == values


@pytest.mark.django_db
def test_the_prepared_list_of_children_is_the_subquery_s(world):
    for user in (world.pm_a, world.manager, world.coach):
        assert sorted(case_selectors.concern_child_id_list(user)) == sorted(
            case_selectors.concern_child_ids(user)
        )


@pytest.mark.django_db
def test_may_log_a_concern_about_is_membership_of_the_children_s_list(world):
    from casework.models import Child

    children = list(Child.objects.values_list("pk", flat=True))
    for user in (world.pm_a, world.manager, world.coach):
        mine = set(case_selectors.concern_child_ids(user))
        for child_id in children:
            assert case_selectors.may_log_concern_about(user, child_id) == (child_id in mine)


@pytest.mark.django_db
def test_orm_queries_in_a_prepared_block_run_prepared_with_the_same_rows(world):
    from casework.models import Child

    plain = list(Child.objects.order_by("pk").values_list("pk", "first_name"))
    with CaptureQueriesContext(connection) as queries:
        with sql.prepared("test_orm"):
            again = list(Child.objects.order_by("pk").values_list("pk", "first_name"))
            twice = list(Child.objects.order_by("pk").values_list("pk", "first_name"))
    assert plain == again == twice
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2 and statements[0] == statements[1]
    assert statements[0].startswith("EXECUTE test_orm_")


@pytest.mark.django_db
def test_a_connection_keeps_a_bounded_number_of_statements(monkeypatch):
    monkeypatch.setattr(sql, "MAX_PREPARED", 2)
    with connection.cursor() as cursor:
        # A connection with none yet (the statement list forgotten with them).
        cursor.execute("DEALLOCATE ALL")
        cursor.db.__dict__.pop("_prepared_statements", None)
        for n in range(4):
            sql.execute_prepared(cursor, "test_bound", f"SELECT {n} + %s", [1])
            assert cursor.fetchone() == (n + 1,)
    assert len({name for name in _prepared_names() if name.startswith("test_bound_")}) == 2


@pytest.mark.django_db
def test_the_case_list_runs_its_rows_prepared(client, world):
    from django.urls import reverse

    client.force_login(world.pm_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("casework:case-list")).status_code == 200
    assert sum(q["sql"].startswith("EXECUTE case_list_") for q in queries.captured_queries) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_transaction", [False, True])
def test_a_query_postgresql_will_not_prepare_runs_plainly(in_transaction):
    unpreparable = "SELECT 1 WHERE %s IS NULL"  # the parameter's type can't be told

    def run():
        with connection.cursor() as cursor:
            sql.execute_prepared(cursor, "test_refused", unpreparable, [None])
            assert cursor.fetchall() == [(1,)]
            cursor.execute("SELECT 2")  # the connection (and transaction) carry on
            assert cursor.fetchone() == (2,)

    if in_transaction:
        with transaction.atomic():
            run()
            run()
    else:
        run()
        run()
    assert not {name for name in _prepared_names() if name.startswith("test_refused_")}
