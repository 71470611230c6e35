"""`POST /api/v1/imports/tickets`: load past tickets (administrators only)."""

from django.http import HttpRequest
from ninja import Router, Schema

from tierdesk.common.errors import ServiceError
from tierdesk.imports import services
from tierdesk.people.access import viewer_for

router = Router(tags=["imports"])


class LineOut(Schema):
    line: int
    outcome: str  # created | duplicate | conflict | error
    external_id: str | None
    ticket_id: int | None
    field: str | None
    message: str


class ImportOut(Schema):
    ok: bool
    created: int
    duplicates: int
    conflicts: int
    errors: int
    summary: str
    lines: list[LineOut]


_BODY = {
    "requestBody": {
        "required": True,
        "description": "A JSON array of tickets, or JSON lines (one ticket object per line); "
                       "see the README, 'Importing history'.",
        "content": {"application/json": {"schema": {"type": "array",
                                                    "items": {"type": "object"}}},
                    "application/x-ndjson": {"schema": {"type": "string"}}},
    }
}


@router.post("/tickets", response=ImportOut, openapi_extra=_BODY)
def import_tickets(request: HttpRequest):
    """Import past tickets with their messages, status changes and escalations; every
    line is reported (created, duplicate, conflict, or error with the bad field's path).
    Each line is its own transaction: a bad line changes nothing and stops nothing."""
    viewer = viewer_for(request.auth)
    services.require_admin(viewer)
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError("the body is not UTF-8 text", field="body") from None
    report = services.import_tickets(viewer=viewer, text=text)
    return {
        "ok": report.ok, "created": report.count("created"),
        "duplicates": report.count("duplicate"), "conflicts": report.count("conflict"),
        "errors": report.count("error"), "summary": report.summary(),
        "lines": [vars(line) for line in report.lines],
    }
