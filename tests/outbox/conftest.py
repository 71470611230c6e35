"""Loopback receivers for outbox delivery: a real SMTP server and a real webhook endpoint."""

from datetime import UTC, datetime

import pytest

from tests.outbox.fixtures import _threads_release_db_connections, smtp_server  # noqa: F401
from tests.outbox.loopback import WebhookReceiver
from tierdesk import clock

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


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
