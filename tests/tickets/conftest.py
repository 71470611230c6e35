"""Ticket mail goes to a real SMTP server on loopback."""

from tests.outbox.fixtures import _threads_release_db_connections, smtp_server  # noqa: F401
