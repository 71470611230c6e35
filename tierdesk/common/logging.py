"""JSON log lines, each carrying the ticket id of the request or task that wrote it."""

import contextvars
import json
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

ticket_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "ticket_id", default=None
)
request_log = logging.getLogger("tierdesk.request")


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object so log shippers need no parsing rules."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ticket_id = getattr(record, "ticket_id", None) or ticket_id_var.get()
        if ticket_id is not None:
            payload["ticket_id"] = ticket_id
        for key in ("method", "path", "status", "duration_ms", "user_id"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class RequestLogMiddleware:
    """Log one line per request; the ticket id comes from the URL when it names one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        token = ticket_id_var.set(None)
        try:
            response = self.get_response(request)
        finally:
            ticket_id_var.reset(token)
        if request_log.isEnabledFor(logging.INFO):
            ticket_id = None
            match = getattr(request, "resolver_match", None)
            if match is not None:
                ticket_id = match.kwargs.get("ticket_id")
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "ticket_id": ticket_id,
                },
            )
        return response
