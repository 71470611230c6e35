"""DataFlow: "Managers: Review updates weekly for accuracy" (the pack's ``review_within:
7d``): an article waiting in review is a task for its reviewers, due a week after it was
submitted, and shows as overdue to the support manager when the week has passed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tierdesk import clock
from tierdesk.jobs.registry import run
from tierdesk.kb import selectors, services
from tierdesk.kb.models import KbTask

SUBMITTED = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))


def _submitted(team, monkeypatch, title="Reset a data source password"):
    monkeypatch.setattr(clock, "now", lambda: SUBMITTED)
    article = services.article_create(viewer=team.v(team.alice), language="en", title=title,
                                      body="Open Data sources and re-enter the password.")
    return services.article_submit(viewer=team.v(team.alice), article=article)


def test_an_article_in_review_is_a_managers_task_due_a_week_after_submission(
        dataflow, team, monkeypatch):
    article = _submitted(team, monkeypatch)

    assert run("kb_review_deadlines", now=SUBMITTED + timedelta(hours=1)) == 1
    task = KbTask.objects.get()
    assert (task.kind, task.article, task.role) == ("review", article, "support_manager")
    assert task.due_at == SUBMITTED + timedelta(days=7)
    assert task.title == f"Review KB-{article.pk}: Reset a data source password"
    assert task in selectors.tasks_visible_to(team.v(team.maria))
    assert task not in selectors.tasks_visible_to(team.v(team.alice))  # the writer


def test_the_sweep_asks_once_per_review_round_however_often_it_runs(dataflow, team,
                                                                    monkeypatch):
    _submitted(team, monkeypatch)
    run("kb_review_deadlines", now=SUBMITTED + timedelta(hours=1))
    assert run("kb_review_deadlines", now=SUBMITTED + timedelta(hours=2)) == 0
    assert KbTask.objects.count() == 1


def test_a_review_not_done_within_the_week_is_overdue(dataflow, team, monkeypatch):
    _submitted(team, monkeypatch)
    run("kb_review_deadlines", now=SUBMITTED + timedelta(hours=1))

    assert not selectors.overdue_tasks(SUBMITTED + timedelta(days=6, hours=23)).exists()
    assert selectors.overdue_tasks(SUBMITTED + timedelta(days=7, minutes=1)).count() == 1


def test_the_task_moves_to_the_next_waiting_step_and_ends_when_published(
        dataflow, team, monkeypatch):
    article = _submitted(team, monkeypatch)
    services.article_review(viewer=team.v(team.maria), article=article, step="accuracy",
                            approve=True)
    run("kb_review_deadlines", now=SUBMITTED + timedelta(hours=1))
    task = KbTask.objects.get()
    assert task.data == {"round": 1, "step": "compliance"}  # accuracy is done

    services.article_review(viewer=team.v(team.dora), article=article, step="compliance",
                            approve=True)
    services.article_publish(viewer=team.v(team.maria), article=article)
    task.refresh_from_db()
    assert task.state == KbTask.State.DONE


def test_changes_requested_end_the_round_and_a_resubmission_starts_a_new_week(
        dataflow, team, monkeypatch):
    article = _submitted(team, monkeypatch)
    run("kb_review_deadlines", now=SUBMITTED + timedelta(hours=1))
    services.article_review(viewer=team.v(team.maria), article=article, step="accuracy",
                            approve=False, comment="Name the menu entry.")
    assert not selectors.open_tasks().exists()

    later = SUBMITTED + timedelta(days=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    services.article_submit(viewer=team.v(team.alice), article=article)
    assert run("kb_review_deadlines", now=later + timedelta(hours=1)) == 1
    assert selectors.open_tasks().get().due_at == later + timedelta(days=7)


def test_a_pack_without_a_review_deadline_creates_no_review_task(team, monkeypatch):
    from tests.kb.conftest import apply_pack

    apply_pack("nexacore")
    _submitted(team, monkeypatch)
    assert run("kb_review_deadlines", now=SUBMITTED + timedelta(days=30)) == 0
