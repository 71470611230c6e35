import json
import logging

from tierdesk.common.logging import JsonFormatter, ticket_id_var


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client, db):
    body = client.get("/readyz").json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "not configured"


def test_readyz_checks_the_real_broker_when_one_is_configured(client, db, settings):
    settings.BROKER_URL = "redis://127.0.0.1:6379/15"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_readyz_is_503_when_the_broker_is_down(client, db, settings):
    settings.BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["broker"] != "ok"


def test_log_lines_are_json_with_the_ticket_id():
    record = logging.LogRecord("tierdesk", logging.INFO, __file__, 1, "replied %s", ("ok",), None)
    token = ticket_id_var.set(42)
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        ticket_id_var.reset(token)
    assert line["message"] == "replied ok"
    assert line["ticket_id"] == 42
    assert line["level"] == "INFO"


def test_request_log_names_the_ticket_from_the_url(world, api_as, caplog):
    caplog.set_level(logging.INFO, logger="tierdesk.request")
    api_as(world.agent).get(f"/api/v1/tickets/{world.ticket.pk}")
    (record,) = [r for r in caplog.records if r.name == "tierdesk.request"]
    assert record.ticket_id == world.ticket.pk
    assert record.status == 200
