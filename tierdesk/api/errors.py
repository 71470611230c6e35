"""Every API error is JSON: ``{"code", "message", "field", "errors": [{field, message}]}``."""

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from tierdesk.common.errors import ServiceError

# Where pydantic puts an input in its location tuple, and what to call that place.
_SOURCES = {"body": "", "query": "", "path": "", "header": "header.", "form": "", "file": ""}


def error_body(code: str, message: str, field: str | None = None,
               errors: list[dict] | None = None) -> dict:
    return {"code": code, "message": message, "field": field,
            "errors": errors if errors is not None else ([{"field": field, "message": message}]
                                                         if field else [])}


def _field_path(loc: list | tuple) -> str:
    parts = list(loc)
    prefix = ""
    if parts and parts[0] in _SOURCES:
        prefix = _SOURCES[parts.pop(0)]
        # ninja nests the body under the parameter's name ("payload"): drop it.
        if parts and isinstance(parts[0], str) and parts[0] in ("payload", "data", "filters"):
            parts.pop(0)
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out and not out.endswith(".") else "") + str(part)
    return out or "body"


def _validation_message(err: dict) -> str:
    if err.get("type") == "extra_forbidden":
        return "unknown field"
    if err.get("type") == "missing":
        return "field required"
    return str(err.get("msg", "invalid value"))


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every failure its 4xx JSON shape."""

    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        body = error_body(exc.code, exc.message, exc.field)
        if exc.details:
            body["details"] = exc.details
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = []
        for err in exc.errors:
            loc = err.get("loc", ())
            if err.get("type") == "json_invalid" or (loc and loc[-1] == "__root__"):
                errors.append({"field": "body", "message": "malformed JSON: " + err.get("msg", "")})
                continue
            errors.append({"field": _field_path(loc), "message": _validation_message(err)})
        first = errors[0] if errors else {"field": None, "message": "invalid input"}
        return api.create_response(
            request,
            error_body("validation_error", f"{first['field']}: {first['message']}",
                       first["field"], errors),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body("unauthenticated", "a valid API token or session is required"),
            status=401)

    @api.exception_handler(AuthorizationError)
    def unauthorised(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return api.create_response(request, error_body("forbidden", str(exc) or "forbidden"),
                                   status=403)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return api.create_response(
            request, error_body("too_large", "request body is larger than the server accepts"),
            status=413)

    @api.exception_handler(OverflowError)
    def out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # A number too large for the database, in a place no schema bounds yet.
        return api.create_response(
            request, error_body("out_of_range", "a number in the request is out of range"),
            status=400)

    @api.exception_handler(DataError)
    def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        return api.create_response(
            request, error_body("out_of_range", "a value in the request is out of range"),
            status=400)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", str(exc) or "not found"),
                                   status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and "parse" in str(exc).lower():
            # ninja's answer to a body that is not JSON at all
            return api.create_response(
                request, error_body("malformed_json", "request body is not valid JSON", "body"),
                status=400)
        return api.create_response(request, error_body("error", str(exc)),
                                   status=exc.status_code)
