import pytest

from alert4you import health


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, settings):
    from alert4you.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "database_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


@pytest.mark.django_db
def test_healthz_reveals_no_connection_details(client):
    body = client.get("/healthz").content.decode()
    assert "postgres" not in body and "redis" not in body and "memory" not in body


def test_database_check_fails_on_a_closed_port(settings):
    from django.db import connections
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler(
        {
            "default": {
                **connections["default"].settings_dict,
                "HOST": "127.0.0.1",
                "PORT": "1",
                "NAME": "nothing",
            }
        }
    )
    bad = handler["default"]
    try:
        assert health.database_ok(bad) is False
    finally:
        bad.close()
