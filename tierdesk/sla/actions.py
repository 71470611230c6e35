"""Carry out a pack's actions (``on_breach``, ``on_warning``) for one ticket.

Messages go through the outbox, ticket changes through the ticket's own audit events.
Integrations (Slack, Jira, webhooks) are off until configured: the action is recorded as
skipped so nobody mistakes silence for delivery.
"""

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from tierdesk.outbox import services as outbox
from tierdesk.people.models import Agent, Group, Tier
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket

log = logging.getLogger(__name__)


class _Keep(defaultdict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_template(pack: Any, name: str, language: str, values: dict[str, Any]) -> tuple[str, str]:
    """Return (subject, body) of template ``name`` in ``language`` (else the pack's first)."""
    template = pack.templates[name]
    fallback = pack.languages[0] if pack.languages else "en"

    def pick(texts: dict[str, str] | None) -> str:
        if not texts:
            return ""
        return texts.get(language) or texts.get(fallback) or next(iter(texts.values()))

    ctx = _Keep(str, {k: str(v) for k, v in values.items()})
    return pick(template.subject).format_map(ctx), pick(template.body).format_map(ctx)


def template_values(ticket: Ticket, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "ticket_id": ticket.pk, "customer_name": ticket.requester.name,
        "subject": ticket.subject, "issue": ticket.error_code or ticket.subject,
        "error_code": ticket.error_code, "priority": ticket.priority,
        "plan": ticket.organisation.plan if ticket.organisation_id else "",
        "agent_name": "", **(extra or {}),
    }


def _platform_role(pack: Any, role: str) -> str:
    for r in pack.roles:
        if getattr(r, "code", r) == role:
            return getattr(r, "based_on", None) or role
    return role


def _recipients(pack: Any, ticket: Ticket, recipient: Any, at: datetime) -> list[str]:
    if recipient.customer:
        return [ticket.requester.email]
    agents = Agent.objects.filter(is_active=True).select_related("user")
    if recipient.role:
        agents = agents.filter(role=_platform_role(pack, recipient.role))
    elif recipient.tier:
        agents = agents.filter(tier__code=recipient.tier)
    elif recipient.on_call:
        from tierdesk.people.services import on_call_now

        group = Group.objects.filter(name__iexact=recipient.on_call).first()
        person = on_call_now(group=group, at=at) if group else None
        return [person.user.email] if person and person.user.email else []
    else:
        return []
    return [a.user.email for a in agents if a.user.email]


def run_actions(*, pack: Any, ticket: Ticket, actions: list[Any], at: datetime, cause: str,
                values: dict[str, Any] | None = None) -> list[str]:
    """Run each action; return a short description of each, for the event that caused it."""
    done: list[str] = []
    for action in actions:
        if action.send_template:
            subject, body = render_template(pack, action.send_template, ticket.language,
                                            template_values(ticket, values))
            outbox.enqueue_email(to=ticket.requester.email, subject=subject, body=body,
                                 ticket_id=ticket.pk, template=action.send_template, at=at)
            done.append(f"sent template {action.send_template}")
        if action.notify:
            for recipient in action.notify:
                for email in _recipients(pack, ticket, recipient, at):
                    outbox.enqueue_email(
                        to=email, ticket_id=ticket.pk, template=f"notify:{cause}", at=at,
                        subject=f"[Ticket #{ticket.pk}] {cause}: {ticket.subject}",
                        body=f"Ticket #{ticket.pk} ({ticket.priority}) {cause}.")
                done.append(f"notified {recipient.model_dump(exclude_none=True)}")
        if action.escalate:
            tier = Tier.objects.filter(code=action.escalate).first()
            if tier is not None and ticket.tier_id != tier.pk:
                events.field_changed(ticket, None, at, "tier", ticket.tier_id, tier.pk,
                                     reason=cause)
                ticket.tier = tier
                ticket.save(update_fields=["tier"])
            events.record(ticket, "escalated", None, at, to=action.escalate, reason=cause)
            done.append(f"escalated to {action.escalate}")
        if action.add_tags:
            tags = list(dict.fromkeys([*ticket.tags, *action.add_tags]))
            if tags != ticket.tags:
                events.field_changed(ticket, None, at, "tags", ticket.tags, tags, reason=cause)
                ticket.tags = tags
                ticket.save(update_fields=["tags"])
            done.append(f"tagged {action.add_tags}")
        if action.issue_credit:
            events.record(ticket, "credit_issued", None, at, amount=action.issue_credit.amount,
                          currency=action.issue_credit.currency, reason=cause)
            done.append(f"credit {action.issue_credit.amount}")
        for name in ("post_slack", "open_jira", "webhook", "assign", "set_",
                     "request_kb_article"):
            if getattr(action, name, None):
                events.record(ticket, "action_skipped", None, at, action=name.rstrip("_"),
                              reason=f"{cause}: not available in this version")
                done.append(f"skipped {name.rstrip('_')}")
    return done
