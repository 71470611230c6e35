"""Apps register their periodic jobs; every runner finds the same ones, in the same order."""

import json
import os
import subprocess
import sys

import pytest

from tierdesk.jobs import registry
from tierdesk.jobs.scheduler import SweepScheduler

# Mail comes in first, the pack is adopted, SLA then time rules are swept, the domains'
# own sweeps follow, the outbox delivers what all of them queued, and the dashboards that
# people read are counted last (slow on a large desk, and nothing waits on them).
PASS_ORDER = ["poll_mailboxes", "adopt_pack", "sla_sweep", "rules_sweep", "kb_handle_time",
              "surveys_sweep", "kb_recurring_codes", "kb_review_deadlines",
              "qa_sample", "risk_reviews_due",
              "scheduled_reports", "deliver_outbox", "reports_count"]


@pytest.fixture
def scratch_registry(monkeypatch):
    """The real registrations, plus whatever the test adds, forgotten afterwards."""
    monkeypatch.setattr(registry, "_jobs", dict(registry._jobs))


def test_a_pass_adopts_the_pack_then_sweeps_sla_then_time_rules_then_delivers():
    assert [job.name for job in registry.periodic()] == PASS_ORDER


@pytest.mark.django_db
def test_the_in_process_sweeper_runs_every_registered_job_in_pass_order():
    results = SweepScheduler(interval=0).run_once()

    assert list(results) == PASS_ORDER
    assert results == dict.fromkeys(PASS_ORDER, 0)  # an empty instance: nothing due


def test_celery_on_its_own_schedules_the_jobs_the_sweeper_runs():
    """A fresh process that only loads the Celery app gets the apps' jobs in beat order."""
    script = (
        "import json\n"
        "from tierdesk.celery import app\n"
        "import tierdesk.jobs.tasks\n"
        "app.finalize()\n"
        "print(json.dumps([e['args'][0] for e in app.conf.beat_schedule.values()\n"
        "                  if e['task'] == 'tierdesk.run_job']))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tierdesk.settings"}
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout

    assert json.loads(out.strip().splitlines()[-1]) == PASS_ORDER


@pytest.mark.django_db
def test_a_job_asking_for_a_longer_interval_is_skipped_until_it_is_due(scratch_registry):
    runs = []
    registry.register_periodic("hourly_report", lambda now=None: runs.append(now) or 1,
                               order=99, every=3600)
    scheduler = SweepScheduler(interval=0)

    first = scheduler.run_once(only_due=True)
    second = scheduler.run_once(only_due=True)

    assert list(first) == [*PASS_ORDER, "hourly_report"]
    # jobs with an interval of their own (the scheduled reports' 5 minutes) wait for it too
    assert list(second) == [job.name for job in registry.periodic()
                            if job.every is None and job.name != "hourly_report"]
    assert "scheduled_reports" not in second
    assert len(runs) == 1


def test_running_a_job_nobody_registered_says_which_jobs_exist():
    with pytest.raises(registry.UnknownJob, match=r"no job named 'deliver_fax'.*sla_sweep"):
        registry.run("deliver_fax")


def test_a_second_function_under_a_registered_name_is_refused(scratch_registry):
    with pytest.raises(ValueError, match="'sla_sweep' is already registered as "
                                         "tierdesk.sla.apps._sla_sweep"):
        registry.register_periodic("sla_sweep", lambda now=None: 0, order=20)
