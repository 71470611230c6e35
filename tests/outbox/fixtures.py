"""Fixtures shared by the outbox and jobs tests: a real SMTP server on loopback, and
worker threads that give their database connections back."""

import pytest

from tests.outbox.dbthreads import worker_threads_release_connections
from tests.outbox.loopback import SMTPServer, point_email_at


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
