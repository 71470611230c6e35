"""Celery app for scale-out: used only when ``TIERDESK_BROKER_URL`` is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")

app = Celery("tierdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)
app.autodiscover_tasks(["tierdesk.jobs"], related_name="tasks")
