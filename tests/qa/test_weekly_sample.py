"""CSU QA: "Monitor and evaluate support interaction quality". Each week a random sample
of every agent's solved tickets is queued for review; the draw can be repeated."""

from tests.qa.conftest import MONDAY
from tierdesk.jobs.registry import run
from tierdesk.qa.models import ReviewItem
from tierdesk.qa.services import draw


def test_the_weekly_job_queues_three_of_each_agents_solved_tickets(solved_week):
    assert run("qa_sample") == 5  # three of Al's six, both of Tess's two
    items = ReviewItem.objects.all()
    by_agent = {}
    for item in items:
        by_agent.setdefault(item.agent.user.username, []).append(item.ticket_id)
    assert len(by_agent["al"]) == 3
    assert sorted(by_agent["tess"]) == sorted(t.pk for t in solved_week["tess"])
    assert set(by_agent["al"]) <= {t.pk for t in solved_week["al"]}


def test_running_the_job_again_in_the_same_week_queues_nothing_more(solved_week):
    run("qa_sample")
    before = list(ReviewItem.objects.values_list("ticket_id", flat=True))
    assert run("qa_sample") == 0
    assert list(ReviewItem.objects.values_list("ticket_id", flat=True)) == before


def test_the_draw_is_reproducible_from_its_seed(solved_week):
    run("qa_sample")
    al = solved_week["al"][0].assignee
    drawn = sorted(ReviewItem.objects.filter(agent=al).values_list("ticket_id", flat=True))
    week = ReviewItem.objects.first().week.isoformat()
    assert drawn == draw([t.pk for t in solved_week["al"]], 3, f"qa:{al.pk}:{week}")


def test_two_of_the_weeks_draw_are_marked_for_calibration(solved_week):
    run("qa_sample")
    assert ReviewItem.objects.filter(reviews_needed=2).count() == 2


def test_the_sampled_ticket_records_it_in_its_audit_log(solved_week):
    run("qa_sample")
    item = ReviewItem.objects.first()
    assert item.ticket.events.filter(type="qa_sampled").count() == 1


def test_a_dry_run_sweep_says_what_the_sample_would_queue_and_queues_nothing(solved_week):
    from tierdesk.tickets.sweep_preview import preview_sweeps

    previews = {p.name: p.count for p in preview_sweeps(now=MONDAY)}
    assert previews["qa_sample"] == 5
    assert previews["risk_reviews_due"] == 0
    assert not ReviewItem.objects.exists()
