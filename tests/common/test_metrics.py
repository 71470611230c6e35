"""/metrics in the Prometheus text format: requests by route and status, sweep durations,
and the gauges an operator watches (open tickets, breached clocks, outbox backlog)."""

import re

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tierdesk.jobs.scheduler import SweepScheduler
from tierdesk.outbox.models import OutboxMessage
from tierdesk.tickets.models import Ticket


def scrape(client: Client | None = None, **extra) -> dict[tuple, float]:
    r = (client or Client()).get("/metrics", **extra)
    assert r.status_code == 200, r.content
    samples = {}
    for family in text_string_to_metric_families(r.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_open_tickets_by_priority_match_the_database(world):
    Ticket.objects.filter(pk=world.ticket.pk).update(priority="P1")
    Ticket.objects.filter(pk=world.foreign_ticket.pk).update(priority="P1")
    samples = scrape()
    assert value(samples, "tierdesk_open_tickets", priority="P1") == 2


def test_requests_are_counted_by_route_pattern_not_by_raw_path(world, api_as):
    api = api_as(world.agent)
    route = "api/v1/tickets/<int:ticket_id>"
    before = value(scrape(), "tierdesk_http_requests_total", route=route, method="GET",
                   status="200")
    api.get(f"/api/v1/tickets/{world.ticket.pk}")
    api.get(f"/api/v1/tickets/{world.ticket.pk}")
    after = scrape()
    assert value(after, "tierdesk_http_requests_total", route=route, method="GET",
                 status="200") == before + 2
    assert value(after, "tierdesk_http_request_duration_seconds_count", route=route,
                 method="GET") >= 2
    routes = {dict(labels).get("route") for name, labels in after
              if name == "tierdesk_http_requests_total"}
    assert not any(re.search(rf"/{world.ticket.pk}(/|$)", r or "") for r in routes), \
        "one series per ticket id"


def test_the_outbox_backlog_and_dead_letters_are_gauges(world):
    from tierdesk import clock

    OutboxMessage.objects.create(kind="email", payload={}, state="dead", attempts=9,
                                 next_attempt_at=clock.now(), created_at=clock.now())
    samples = scrape()
    assert value(samples, "tierdesk_outbox_messages", state="dead", kind="email") == 1


def test_each_sweep_job_records_its_duration(world):
    before = value(scrape(), "tierdesk_sweep_duration_seconds_count", job="sla_sweep")
    SweepScheduler(interval=0).run_once()
    assert value(scrape(), "tierdesk_sweep_duration_seconds_count", job="sla_sweep") == before + 1


@pytest.mark.parametrize("remote", ["203.0.113.9", "10.1.2.3"])
def test_a_scraper_from_another_host_needs_the_metrics_token(world, settings, remote):
    settings.METRICS_TOKEN = "s3cret-scrape"
    refused = Client().get("/metrics", REMOTE_ADDR=remote)
    assert refused.status_code == 403
    assert "TIERDESK_METRICS_TOKEN" in refused.content.decode()
    wrong = Client().get("/metrics", REMOTE_ADDR=remote, HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    allowed = Client().get("/metrics", REMOTE_ADDR=remote,
                           HTTP_AUTHORIZATION="Bearer s3cret-scrape")
    assert allowed.status_code == 200
    assert re.search(rb"^# TYPE tierdesk_open_tickets gauge", allowed.content, re.M)


def test_an_agent_or_customer_session_from_another_host_is_refused(world):
    for persona in (world.agent, world.customer):
        client = Client()
        client.force_login(persona.user)
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
