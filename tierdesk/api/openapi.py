"""The OpenAPI document names every error an operation can answer, with its JSON shape.

Handlers declare their success responses; the errors come from shared places (the
exception handlers in ``errors.py`` and the edge middleware), so they are added here once
for every operation rather than repeated on ~40 decorators.
"""

from typing import Any

from ninja import NinjaAPI

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message", "field", "errors"],
    "properties": {
        "code": {"type": "string", "description": "machine-readable reason"},
        "message": {"type": "string", "description": "what went wrong, for a person"},
        "field": {"type": ["string", "null"], "description": "the input at fault, as a path"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": ["string", "null"]},
                               "message": {"type": "string"}},
            },
        },
    },
}
_DESCRIPTIONS = {
    400: "Bad request: malformed JSON or a refused change, with the field at fault",
    401: "No valid API token or session",
    403: "The caller may not do this",
    404: "No such object visible to the caller (or a malformed id in the path)",
    409: "Conflict with the current state (transition, idempotency key, concurrent change)",
    410: "The object exists but its file is gone from storage",
    413: "The request body is larger than the server accepts",
    422: "Validation failed; every field at fault is listed",
}
_WRITES = {"post", "put", "patch", "delete"}


def _error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    statuses = [400, 404, 422]
    if operation.get("security"):
        statuses += [401, 403]
    if method in _WRITES:
        statuses += [409, 413]
    if method == "get" and "attachment" in operation.get("operationId", ""):
        statuses.append(410)
    return statuses


class TierdeskAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the shared error responses."""

    def get_openapi_schema(self, **kwargs: Any):
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in _error_statuses(method, operation):
                    responses.setdefault(status, {"description": _DESCRIPTIONS[status],
                                                  "content": ref})
        return schema
