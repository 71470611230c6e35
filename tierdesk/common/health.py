"""Liveness and readiness probes for load balancers and orchestrators."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse


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
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
