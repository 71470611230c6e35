"""Celery tasks: thin wrappers that take a job name and call the same function."""

from tierdesk.celery import app
from tierdesk.jobs import registry


@app.task(name="tierdesk.run_job", acks_late=True)
def run_job(name: str) -> int:
    return registry.run(name)


@app.on_after_finalize.connect
def _schedule_sweeps(sender, **kwargs) -> None:
    """Beat sends every registered periodic job, in the registry's order, each on its own
    interval (the sweep interval unless the job asked for a longer ``every``)."""
    import django
    from django.apps import apps
    from django.conf import settings

    if not apps.ready:  # the apps' ready() is where the jobs get registered
        django.setup()
    for job in registry.periodic():
        sender.add_periodic_task(float(job.every or settings.SWEEP_INTERVAL_SECONDS),
                                 run_job.s(job.name), name=f"sweep {job.name}")
