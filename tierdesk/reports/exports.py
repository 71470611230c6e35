"""CSV exports: a report's figures, and the ticket list, streamed row by row.

Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) are
quoted with a leading apostrophe: customer text lands in these files (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from tierdesk.people.access import Viewer
from tierdesk.reports.scope import Scope
from tierdesk.tickets.selectors import tickets_visible_to

TICKET_COLUMNS = ["id", "subject", "status", "priority", "channel", "language", "category",
                  "error_code", "organisation", "plan", "group", "assignee", "created_at",
                  "first_responded_at", "solved_at", "closed_at"]


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def metrics_rows(scope: Scope, report: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """One row per figure; a breakdown gives a row per key."""
    rows: list[list[Any]] = [["period", "metric", "key", "value", "unit", "label"]]
    for name, item in report.items():
        value = item["value"]
        if isinstance(value, dict):
            for key, v in value.items():
                rows.append([scope.period.label, name, key, v, item["unit"], item["label"]])
        else:
            rows.append([scope.period.label, name, "", "" if value is None else value,
                         item["unit"], item["label"]])
    return rows


def render_csv(rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue()


def csv_response(rows: Iterable[list[Any]], filename: str) -> HttpResponse:
    response = HttpResponse(render_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _ticket_lines(viewer: Viewer, scope: Scope) -> Iterator[str]:
    yield render_csv([TICKET_COLUMNS])
    rows = (tickets_visible_to(viewer).filter(pk__in=scope.tickets().values("pk"))
            .order_by("id")
            .values_list("id", "subject", "status", "priority", "channel", "language",
                         "category", "error_code", "organisation__name", "organisation__plan",
                         "group__name", "assignee__user__username", "created_at",
                         "first_responded_at", "solved_at", "closed_at"))
    batch: list[list[Any]] = []
    for row in rows.iterator(chunk_size=2000):
        batch.append([v.isoformat() if hasattr(v, "isoformat") else v for v in row])
        if len(batch) == 2000:
            yield render_csv(batch)
            batch = []
    if batch:
        yield render_csv(batch)


def tickets_response(viewer: Viewer, scope: Scope) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_ticket_lines(viewer, scope),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="tierdesk-tickets-{scope.period.label}.csv"')
    return response
