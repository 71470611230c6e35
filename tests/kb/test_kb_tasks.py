"""The handbooks' KB rules, run by the sweeps: DataFlow's ">10 tickets/month" for an
error code and "Publish within 5 days", NexaCore's "more than 1 hour ... repeatable"."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, TicketFactory, UserFactory
from tests.kb.conftest import apply_pack, publish
from tierdesk import clock
from tierdesk.jobs.registry import run
from tierdesk.kb import handle_time, services
from tierdesk.kb.models import KbTask
from tierdesk.people.models import Role
from tierdesk.tickets.models import TicketEvent

UTC = ZoneInfo("UTC")


def _tickets(n: int, code: str, start: datetime):
    return [TicketFactory(error_code=code, created_at=start + timedelta(hours=i))
            for i in range(n)]


def test_the_10th_ds_1001_ticket_in_a_month_creates_no_kb_task(dataflow):
    _tickets(10, "DS-1001", datetime(2026, 11, 2, 9, tzinfo=UTC))
    assert run("kb_recurring_codes", now=datetime(2026, 11, 20, tzinfo=UTC)) == 0
    assert not KbTask.objects.exists()


def test_the_11th_ds_1001_ticket_in_a_month_creates_a_kb_task_due_5_days_later(dataflow):
    made = _tickets(11, "DS-1001", datetime(2026, 11, 2, 9, tzinfo=UTC))
    assert run("kb_recurring_codes", now=datetime(2026, 11, 20, tzinfo=UTC)) == 1
    task = KbTask.objects.get()
    assert (task.kind, task.error_code, task.month) == ("recurring_code", "DS-1001", "2026-11")
    assert task.due_at == made[10].created_at + timedelta(days=5)
    assert task.title == "Write a KB article for DS-1001: Invalid credentials"


def test_a_code_gets_one_task_per_month_however_often_the_sweep_runs(dataflow):
    _tickets(15, "DS-1001", datetime(2026, 11, 2, 9, tzinfo=UTC))
    run("kb_recurring_codes", now=datetime(2026, 11, 20, tzinfo=UTC))
    _tickets(3, "DS-1001", datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert run("kb_recurring_codes", now=datetime(2026, 11, 26, tzinfo=UTC)) == 0
    assert KbTask.objects.count() == 1


def test_tickets_split_across_two_calendar_months_do_not_add_up(dataflow):
    _tickets(6, "API-4004", datetime(2026, 10, 31, 12, tzinfo=UTC))  # 6 in Oct/Nov
    assert run("kb_recurring_codes", now=datetime(2026, 11, 3, tzinfo=UTC)) == 0


def test_publishing_the_article_written_for_a_task_completes_it(dataflow, team):
    _tickets(11, "DS-1001", datetime(2026, 11, 2, 9, tzinfo=UTC))
    run("kb_recurring_codes", now=datetime(2026, 11, 20, tzinfo=UTC))
    task = KbTask.objects.get()
    article = services.article_create(viewer=team.v(team.alice), language="en",
                                      title="DS-1001", body="Steps", task=task)
    services.article_submit(viewer=team.v(team.alice), article=article)
    for step, who in (("accuracy", team.maria), ("compliance", team.dora)):
        services.article_review(viewer=team.v(who), article=article, step=step, approve=True)
    services.article_publish(viewer=team.v(team.maria), article=article)
    task.refresh_from_db()
    assert task.state == "done" and task.article_id == article.pk


def test_overdue_kb_tasks_show_to_the_support_manager_and_not_to_agents(dataflow, team,
                                                                        api_as):
    _tickets(11, "DS-1001", datetime(2026, 11, 2, 9, tzinfo=UTC))
    run("kb_recurring_codes", now=datetime(2026, 11, 20, tzinfo=UTC))
    clock.freeze(datetime(2026, 11, 30, tzinfo=UTC))  # due 7 Nov: overdue
    overdue = api_as(team.maria).get("/api/v1/kb/tasks", QUERY_STRING="overdue=true")
    assert [t["error_code"] for t in overdue.json()] == ["DS-1001"]
    assert overdue.json()[0]["overdue"] is True
    assert api_as(team.kim).get("/api/v1/kb/tasks", QUERY_STRING="overdue=true").json()
    assert api_as(team.alice).get("/api/v1/kb/tasks",
                                  QUERY_STRING="overdue=true").status_code == 403
    # the task is for the agents ("role: agent"): Alice sees it in her list
    assert [t["error_code"] for t in api_as(team.alice).get("/api/v1/kb/tasks").json()] \
        == ["DS-1001"]


@pytest.fixture
def nexacore(db):
    return apply_pack("nexacore")


@pytest.fixture
def nadia(nexacore):
    return AgentFactory(user=UserFactory(username="nadia"), role=Role.AGENT)


def _repeatable_ticket(nadia):
    from tierdesk.people.models import Group

    group = Group.objects.create(name="L1 desk")
    nadia.groups.add(group)
    return TicketFactory(subject="Workflow engine stuck on retry", tags=["repeatable"],
                         group=group, assignee=nadia)


def test_an_hour_of_handle_time_on_a_repeatable_nexacore_ticket_creates_the_agents_kb_task(
        nadia, api_as):
    """"more than 1 hour": 60 minutes then one more minute."""
    ticket = _repeatable_ticket(nadia)
    client = api_as(nadia)
    assert client.post(f"/api/v1/tickets/{ticket.pk}/time", {"minutes": 60}).status_code == 201
    assert run("kb_handle_time") == 0  # exactly one hour is not more than one hour
    r = client.post(f"/api/v1/tickets/{ticket.pk}/time", {"minutes": 1, "note": "call"})
    assert r.json()["total_seconds"] == 3660
    assert run("kb_handle_time") == 1
    task = KbTask.objects.get()
    assert (task.kind, task.assignee, task.ticket) == ("handle_time", nadia, ticket)
    assert task.due_at == task.created_at + timedelta(days=7)
    assert run("kb_handle_time") == 0 and KbTask.objects.count() == 1


def test_handle_time_on_a_ticket_not_tagged_repeatable_asks_for_nothing(nadia, api_as):
    ticket = _repeatable_ticket(nadia)
    ticket.tags = []
    ticket.save()
    api_as(nadia).post(f"/api/v1/tickets/{ticket.pk}/time", {"minutes": 90})
    assert run("kb_handle_time") == 0


def test_handle_time_is_recorded_as_ticket_events(nadia, api_as):
    ticket = _repeatable_ticket(nadia)
    api_as(nadia).post(f"/api/v1/tickets/{ticket.pk}/time", {"minutes": 20, "note": "phone"})
    event = TicketEvent.objects.get(ticket=ticket, type="time_logged")
    assert event.data["seconds"] == 1200 and event.data["source"] == "manual"
    assert event.actor == nadia.user


def test_heartbeats_count_active_time_and_stop_at_an_idle_gap(nadia):
    from tierdesk.people.access import viewer_for

    ticket = _repeatable_ticket(nadia)
    viewer = viewer_for(nadia.user)
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    for second in range(0, 301, 30):  # five minutes of beats every 30 s
        clock.freeze(start + timedelta(seconds=second))
        handle_time.heartbeat(ticket=ticket, viewer=viewer)
    logged = TicketEvent.objects.get(ticket=ticket, type="time_logged")
    assert logged.data["seconds"] == 300 and logged.data["source"] == "workspace"
    clock.freeze(start + timedelta(seconds=330))
    handle_time.heartbeat(ticket=ticket, viewer=viewer)  # 30 s gathered
    clock.freeze(start + timedelta(minutes=30))  # away for 25 minutes: not counted
    handle_time.heartbeat(ticket=ticket, viewer=viewer)
    assert handle_time.handle_seconds(ticket) == {nadia.pk: 330}


def test_a_customer_cannot_log_handle_time(nadia, api_as):
    from tests.factories import CustomerContactFactory

    ticket = _repeatable_ticket(nadia)
    customer = CustomerContactFactory(organisation=ticket.organisation)
    ticket.requester = customer
    ticket.save()
    r = api_as(customer.user).post(f"/api/v1/tickets/{ticket.pk}/time", {"minutes": 5})
    assert r.status_code == 403
    assert not TicketEvent.objects.filter(type="time_logged").exists()


def test_linking_a_ticket_to_a_real_article_and_refusing_an_unknown_one(dataflow, team,
                                                                        api_as):
    from tierdesk.people.models import Group

    article = publish(team, title="Export fails with 500", body="Re-run the export.")
    group = Group.objects.create(name="Desk")
    team.alice.groups.add(group)
    ticket = TicketFactory(group=group)
    client = api_as(team.alice)
    r = client.post(f"/api/v1/tickets/{ticket.pk}/knowledge", {"article": "KB-999999"})
    assert r.status_code == 400 and r.json()["field"] == "article"
    r = client.post(f"/api/v1/tickets/{ticket.pk}/knowledge",
                    {"article": f"http://tierdesk.example/portal/kb/{article.pk}/"})
    assert r.status_code == 201
    assert r.json()["data"]["article"] == f"KB-{article.pk}"
    assert r.json()["data"]["title"] == "Export fails with 500"
