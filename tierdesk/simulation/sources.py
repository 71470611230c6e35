"""Where arrivals come from: this instance's tickets, or a history file in the import
format (``tierdesk import tickets``), with organisations looked up in this instance."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tierdesk.simulation.model import Arrival


def _organisations() -> dict[str, Any]:
    from tierdesk.customers.models import Organisation

    out: dict[str, Any] = {}
    for org in Organisation.objects.all():
        if org.external_id:
            out[org.external_id] = org
        out.setdefault(org.name, org)
    return out


def from_instance(start: datetime, end: datetime) -> list[Arrival]:
    """Tickets created in [start, end), with the handling time their history shows: from
    the first agent reply to the solve (the history has no work timer; the plan's cap
    bounds it)."""
    from tierdesk.tickets.models import Ticket

    rows = (Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
            .select_related("organisation", "tier").order_by("created_at", "id"))
    out = []
    for t in rows.iterator(chunk_size=2000):
        org = t.organisation
        handling = None
        if t.first_responded_at and t.solved_at and t.solved_at > t.first_responded_at:
            handling = (t.solved_at - t.first_responded_at).total_seconds()
        out.append(Arrival(
            at=t.created_at.timestamp(), subject=t.subject, channel=t.channel,
            error_code=t.error_code or "", category=t.category or "", priority=t.priority or "",
            language=t.language or "en", plan=org.plan if org else "",
            country=org.country if org else "", timezone=org.timezone if org else "",
            vip=bool(org and org.vip), organisation=org.external_id if org else None,
            tier=None, handling=handling))
    return out


class FileInvalid(Exception):
    pass


def from_file(path: Path, start: datetime | None, end: datetime | None) -> list[Arrival]:
    """Arrivals from a JSONL history file (one ticket a line, the import format): the
    first agent reply and the solve give the handling time, as above."""
    from tierdesk.imports.schemas import TicketLine, error_message, error_path

    orgs = _organisations()
    out = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = TicketLine.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                raise FileInvalid(f"{path}:{number}: not JSON: {exc}") from None
            except ValueError as exc:
                first = exc.errors()[0]
                raise FileInvalid(f"{path}:{number}: {error_path(first['loc'])}: "
                                  f"{error_message(first)}") from None
            if (start and data.created_at < start) or (end and data.created_at >= end):
                continue
            org = orgs.get(data.organisation or "")
            replies = [m.created_at for m in data.messages if m.author == "agent" and m.public]
            solved = [s.at for s in data.status_changes if s.status in ("solved", "closed")]
            handling = None
            if replies and solved and min(solved) > min(replies):
                handling = (min(solved) - min(replies)).total_seconds()
            out.append(Arrival(
                at=data.created_at.timestamp(), subject=data.subject, channel=data.channel,
                error_code=data.error_code, category=data.category, priority=data.priority,
                language=data.language or data.requester.language or (
                    org.language if org else "en"),
                plan=org.plan if org else "", country=org.country if org else "",
                timezone=org.timezone if org else "", vip=bool(org and org.vip),
                organisation=data.organisation, handling=handling))
    return out
