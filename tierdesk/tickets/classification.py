"""Priority and category for a new ticket, as the active pack's classification says."""

from typing import Any

from tierdesk.packs.selectors import active_pack
from tierdesk.policy import classify


def classify_new_ticket(fields: dict[str, Any], body: str) -> dict[str, Any]:
    """Let the active pack set priority and category (DataFlow: "Assign priority (P0-P3)
    within 15 minutes of receipt"); an agent-given priority wins and says so."""
    if fields.get("priority"):
        return {"classified_by": "agent"}
    pack = active_pack()
    if pack is None:
        return {}
    org = fields["requester"].organisation
    result = classify(pack, {
        "error_code": fields.get("error_code") or None, "channel": fields.get("channel"),
        "category": fields.get("category") or None, "subject": fields.get("subject"),
        "body": body, "plan": org.plan if org else None,
        "organisation": org.external_id if org else None, "vip": bool(org and org.vip),
        "language": fields.get("language"), "tags": set(fields.get("tags") or ()),
    })
    out: dict[str, Any] = {"priority": result.priority, "classified_by": result.rule}
    if not fields.get("category") and result.category:
        out["category"] = result.category
    return out
