"""The API's edge: answers that never reach a ninja handler still speak the API's JSON.

Django's URL resolver (an unknown path, a path parameter its converter refuses such as
``/tickets/-1``), ninja's method dispatch (405) and an unhandled exception all answer in
HTML or plain text by default; an API client must get the same JSON error shape as from
any handler. Text with NUL bytes is refused here, for every endpoint at once: SQLite would
store it and PostgreSQL refuses it, and neither is what the sender meant.
"""

import json
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from tierdesk.api.errors import error_body

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 410: "gone", 413: "too_large", 415: "unsupported_media_type",
          429: "rate_limited"}
_MESSAGES = {404: "no such endpoint or object", 405: "method not allowed",
             500: "the server failed to answer this request; it has been logged"}
_BODY_METHODS = ("POST", "PUT", "PATCH")


def nul_byte_path(value: object, path: str = "") -> str | None:
    """Return the path of the first string holding a NUL byte in parsed JSON, else None."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return f"{path}.{key}" if path else str(key)
            found = nul_byte_path(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_byte_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


class ApiJsonErrorsMiddleware:
    """Give every ``/api/`` error the API's JSON shape and refuse NUL bytes in input."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        refused = self._refuse_nul_bytes(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response):
            return response
        return self._as_json(response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        log.exception("unhandled error in %s %s", request.method, request.path)
        return JsonResponse(error_body("server_error", _MESSAGES[500]), status=500)

    @staticmethod
    def _refuse_nul_bytes(request: HttpRequest) -> HttpResponse | None:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return _nul_refusal(f"query.{key}")
        if request.method not in _BODY_METHODS or not request.content_type.endswith("json"):
            return None
        try:
            body = request.body
        except Exception:  # RequestDataTooBig: the handler answers 413 itself
            return None
        if b"\\u0000" not in body and b"\x00" not in body:
            return None
        try:
            parsed = json.loads(body)
        except ValueError:
            return None  # the handler answers malformed JSON with its own 400
        field = nul_byte_path(parsed)
        return _nul_refusal(field) if field else None

    @staticmethod
    def _as_json(response: HttpResponse) -> HttpResponse:
        status = response.status_code
        code = _CODES.get(status, "server_error" if status >= 500 else "error")
        message = _MESSAGES.get(status, response.reason_phrase.lower())
        answer = JsonResponse(error_body(code, message), status=status)
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
            answer.content = json.dumps(error_body(
                code, f"method not allowed; allowed: {response['Allow']}")).encode()
        return answer


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _nul_refusal(field: str) -> HttpResponse:
    message = "text must not contain NUL bytes (\\u0000)"
    return JsonResponse(error_body("invalid", f"{field}: {message}", field), status=422)
