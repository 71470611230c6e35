"""Celery tasks: thin wrappers that take a job name and call the same function."""

from tierdesk.celery import app
from tierdesk.jobs import registry


@app.task(name="tierdesk.run_job", acks_late=True)
def run_job(name: str) -> int:
    return registry.run(name)


@app.on_after_finalize.connect
def _schedule_sweeps(sender, **kwargs) -> None:
    from django.conf import settings

    for name in registry.PERIODIC:
        sender.add_periodic_task(
            float(settings.SWEEP_INTERVAL_SECONDS), run_job.s(name), name=f"sweep {name}"
        )
