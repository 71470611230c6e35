"""Real parts for the job runners: a loopback SMTP server and a Celery worker on Redis."""

import contextlib
import uuid

import pytest

from tests.outbox.fixtures import _threads_release_db_connections, smtp_server  # noqa: F401

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_broker():
    """The real Redis on loopback (database 15); skips the test when it is not running."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        client.close()
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}); Celery tests need it")
    yield client
    client.close()


def _drop_broker_connections(app) -> None:
    """Forget pooled broker connections and cached queues so new conf takes effect."""
    import kombu.pools

    kombu.pools.reset()
    app._pool = None  # celery caches its connection pool per app
    app.__dict__.pop("amqp", None)  # ...and its queues/router (a kombu cached_property)


@pytest.fixture
def celery_worker(redis_broker, settings, monkeypatch):
    """An embedded Celery worker consuming through Redis, with dispatch in celery mode.

    Each test gets its own queue name so parallel test processes sharing database 15
    never take each other's tasks.
    """
    from celery.contrib.testing.worker import start_worker

    import tierdesk.jobs.tasks  # noqa: F401  (registers tierdesk.run_job)
    from tierdesk.celery import app

    queue = f"tierdesk-test-{uuid.uuid4().hex[:12]}"
    overrides = {
        "broker_url": REDIS_URL,
        "task_default_queue": queue,
        "worker_hijack_root_logger": False,
        "worker_enable_remote_control": False,
    }
    saved = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    _drop_broker_connections(app)
    settings.BROKER_URL = REDIS_URL
    # Like pytest-django, the embedded worker skips Django's system checks at start-up.
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1,
                          shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.update(saved)
        _drop_broker_connections(app)
        with contextlib.suppress(Exception):
            stale = list(redis_broker.scan_iter(match=f"*{queue}*"))
            if stale:
                redis_broker.delete(*stale)
            for binding in redis_broker.scan_iter(match="_kombu.binding.*"):
                for member in redis_broker.smembers(binding):
                    if queue.encode() in member:
                        redis_broker.srem(binding, member)
