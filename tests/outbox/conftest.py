"""Loopback receivers for outbox delivery: a real SMTP server and a real webhook endpoint."""

from datetime import UTC, datetime

import pytest

from tests.outbox.dbthreads import worker_threads_release_connections
from tests.outbox.loopback import SMTPServer, WebhookReceiver, point_email_at
from tierdesk import clock

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _threads_release_db_connections():
    """Worker threads close their connections after each job (see dbthreads)."""
    with worker_threads_release_connections():
        yield


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (free port) that Django's SMTP backend sends to."""
    server = SMTPServer().start()
    point_email_at(settings, server)
    yield server
    server.stop()


@pytest.fixture
def webhook_receiver():
    """A real HTTP endpoint on 127.0.0.1 (free port) recording every POST."""
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def frozen_clock():
    """Pin tierdesk's clock so tests can step past backoffs; the root conftest releases it."""
    clock.freeze(T0)
    return T0
