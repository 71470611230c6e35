"""Every background job by name: the periodic sweeps and the on-commit kicks.

Jobs are registered by the app that owns them, in its ``AppConfig.ready()``; this module
imports no app, so infrastructure never depends on the domains it runs. Each job is a
plain function taking ``now`` and returning how much it did, so Celery, the in-process
scheduler, ``tierdesk sweep`` and the tests all run the same code.

A sweep pass runs the periodic jobs by ``order`` (lowest first), because later jobs act
on what earlier ones wrote in the same pass. Today's jobs, registered by their apps:

- 5 ``poll_mailboxes`` (mail): reads the configured IMAP mailboxes (and files stored mail
  whose filing died, mail/recovery.py), so tickets opened by
  mail get their SLA in the same pass;
- 10 ``adopt_pack`` (packs): open tickets move to the active pack first, so the SLA sweep
  never records a breach at a due time the new pack has already moved;
- 20 ``sla_sweep`` (sla): records due SLA warnings and breaches and queues their actions
  (on_breach/on_warning and ``sla_breach`` rules) as one outbox message per batch;
- 30 ``rules_sweep`` (rules): time rules (they read ticket fields, not SLA clocks, so
  20 and 30 do not depend on each other; this is the order every test has run);
- 40 ``surveys_sweep`` (surveys): CSATs and NPS rounds due, and answers not yet followed
  up (a low score's task, template and ``survey_answered`` rules);
- 40 ``kb_handle_time`` and 41 ``kb_recurring_codes`` (kb): the handbooks' KB tasks
  (handle time past the pack's limit; an error code's tickets past it in a month);
- 90 ``deliver_outbox`` (outbox): so what the jobs above queued goes out in the
  same pass rather than the next;
- 95 ``reports_count`` (reports): dashboards asked for or read lately, counted ahead of
  their readers; last, because on a large desk it takes seconds and nothing waits on it.

Sweeps claim their work, so overlapping runners (Celery beat, a second server) may
interleave passes but never act twice on one row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

JobFunction = Callable[..., int]


class UnknownJob(LookupError):
    """No app registered a job by this name (is the app in INSTALLED_APPS?)."""


@dataclass(frozen=True)
class Job:
    name: str
    fn: JobFunction
    periodic: bool = False
    order: int = 50
    every: float | None = None  # seconds; None: every sweep pass (TIERDESK_SWEEP_INTERVAL)


_jobs: dict[str, Job] = {}


def _add(job: Job) -> Job:
    existing = _jobs.get(job.name)
    if existing is not None and existing != job:
        raise ValueError(f"job {job.name!r} is already registered as {existing.fn.__module__}."
                         f"{existing.fn.__qualname__}")
    _jobs[job.name] = job
    return job


def register_job(name: str, fn: JobFunction) -> Job:
    """Register a job that runs only when kicked (``dispatch.kick(name)``) or run by name."""
    return _add(Job(name=name, fn=fn))


def register_periodic(name: str, fn: JobFunction, *, order: int,
                      every: float | None = None) -> Job:
    """Register a job every sweep pass runs, at its ``order`` (see the table above).

    ``every`` (seconds) runs it less often than each pass; by default it runs every pass.
    A periodic job can also be kicked by name.
    """
    if every is not None and every <= 0:
        raise ValueError(f"job {name!r}: every must be a positive number of seconds")
    return _add(Job(name=name, fn=fn, periodic=True, order=order, every=every))


def periodic() -> list[Job]:
    """The periodic jobs in the order a sweep pass runs them."""
    return sorted((job for job in _jobs.values() if job.periodic),
                  key=lambda job: (job.order, job.name))


def periodic_names() -> list[str]:
    return [job.name for job in periodic()]


def get(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        known = ", ".join(sorted(_jobs)) or "none"
        raise UnknownJob(f"no job named {name!r} is registered (registered: {known})") from None


def run(name: str, now: datetime | None = None) -> int:
    return get(name).fn(now=now)
