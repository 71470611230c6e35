"""Liveness and readiness probes for load balancers and orchestrators.

Domain apps add *warnings* (things that work but will fail someone, like a pack notifying
a role nobody holds) with ``register_warnings`` from their ``AppConfig.ready()``; warnings
never make the instance unready.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

log = logging.getLogger(__name__)
_WARNING_SOURCES: list[Callable[[], list[str]]] = []


def register_warnings(source: Callable[[], list[str]]) -> None:
    """Add a function returning warning lines to `/readyz` (once per function)."""
    if source not in _WARNING_SOURCES:
        _WARNING_SOURCES.append(source)


def _warnings() -> list[str]:
    out: list[str] = []
    for source in _WARNING_SOURCES:
        try:
            out += source()
        except Exception:  # a warning source must never take readiness down with it
            log.exception("readiness warning source %s failed", source.__qualname__)
    return out


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_broker() -> str | None:
    if not settings.BROKER_URL:
        return None
    from kombu import Connection

    try:
        with Connection(settings.BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def readyz(request: HttpRequest) -> JsonResponse:
    """The database (and the broker, when one is configured) answer: 200, else 503."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    body = {
        "status": "ok" if not any(checks.values()) else "unavailable",
        "checks": {
            name: ("ok" if err is None else err) if (name != "broker" or settings.BROKER_URL)
            else "not configured"
            for name, err in checks.items()
        },
    }
    if checks["database"] is None:
        body["warnings"] = _warnings()
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
