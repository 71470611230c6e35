"""Carry out a pack's actions for one ticket (rules, SLA ``on_breach``/``on_warning``).

Ticket changes go through the ticket services as the platform itself, so each is audited,
moves the SLA and may trigger further rules; messages go through the outbox. Integrations
(Slack, Jira, webhooks) act only when configured; otherwise the action is recorded as
skipped so nobody mistakes silence for delivery.
"""

import functools
import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from tierdesk.common import prepared
from tierdesk.common.errors import ServiceError
from tierdesk.outbox import services as outbox
from tierdesk.people.models import Agent, Group
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
        "agent_name": "Tierdesk", **(extra or {}),
    }


def _platform_role(pack: Any, role: str) -> str:
    for r in pack.roles:
        if getattr(r, "code", r) == role:
            return getattr(r, "based_on", None) or role
    return role


def _agents(pack: Any, ticket: Ticket, recipient: Any, at: datetime) -> list[Agent]:
    agents = Agent.objects.filter(is_active=True).select_related("user")
    if recipient.role:
        return list(agents.filter(role=_platform_role(pack, recipient.role)))
    if recipient.tier:
        return list(agents.filter(tier__code=recipient.tier))
    if recipient.unit:
        return list(agents.filter(groups__code=recipient.unit))
    if recipient.on_call:
        from tierdesk.people.oncall import on_call_now

        group = Group.objects.filter(code=recipient.on_call).first()
        person = on_call_now(group=group, at=at, pack=pack) if group else None
        return [person] if person else []
    return []


@functools.cache
def _role_emails_sql(roles: int) -> str:
    """Active agents' (role, email) for ``roles`` role codes, in the agents' own order
    (by username): a prepared statement, as the ORM query cost more CPU than it runs."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    quote = connection.ops.quote_name
    user = get_user_model()._meta
    agent = Agent._meta
    return (f"SELECT a.{quote(agent.get_field('role').column)}, u.{quote('email')}"
            f" FROM {quote(agent.db_table)} a JOIN {quote(user.db_table)} u"
            f" ON u.{quote(user.pk.column)} = a.{quote(agent.get_field('user').column)}"
            f" WHERE a.{quote(agent.get_field('is_active').column)}"
            f" AND a.{quote(agent.get_field('role').column)} IN ({prepared.marks([0] * roles)})"
            f" ORDER BY u.{quote('username')}")


def _notify(pack: Any, ticket: Ticket, recipients: list[Any], at: datetime, cause: str,
            cache: dict) -> str:
    emails: list[str] = []
    # Who holds a role (or is on call) does not depend on the ticket: a sweep batch of
    # 2,000 breaches asks once, and the roles of one action are asked in one query.
    keys = [(r.model_dump_json(), at) for r in recipients]
    roles = {key: _platform_role(pack, r.role)
             for r, key in zip(recipients, keys, strict=True) if r.role and key not in cache}
    if roles:
        found: dict[str, list[str]] = {role: [] for role in roles.values()}
        for role, email in prepared.fetch_all(_role_emails_sql(len(found)), sorted(found)):
            if email:
                found[role].append(email)
        for key, role in roles.items():
            cache[key] = found[role]
    for recipient, key in zip(recipients, keys, strict=True):
        if recipient.customer:
            emails.append(ticket.requester.email)
            continue
        if key not in cache:
            cache[key] = [a.user.email for a in _agents(pack, ticket, recipient, at)
                          if a.user.email]
        emails += cache[key]
    for email in dict.fromkeys(emails):
        outbox.enqueue_email(
            to=email, ticket_id=ticket.pk, template=f"notify:{cause}", at=at,
            subject=f"[Ticket #{ticket.pk}] {cause}: {ticket.subject}",
            body=f"Ticket #{ticket.pk} ({ticket.priority}) {cause}.")
    who = ", ".join(str(r.model_dump(exclude_none=True)) for r in recipients)
    return f"notified {who} ({len(set(emails))} people)"


def _system():
    from tierdesk.people.access import SYSTEM

    return SYSTEM


def _update(ticket: Ticket, changes: dict[str, Any], cause: str) -> None:
    from tierdesk.tickets.services import update

    update(ticket=ticket, viewer=_system(), changes=changes, reason=cause)


def run_actions(*, pack: Any, ticket: Ticket, actions: list[Any], at: datetime, cause: str,
                values: dict[str, Any] | None = None, cache: dict | None = None) -> list[str]:
    """Run each action; return a short description of each, for the event that caused it.

    ``cache`` may be shared across calls for one instant (a sweep batch) to look up each
    notify recipient once.
    """
    done: list[str] = []
    cache = {} if cache is None else cache
    for action in actions:
        try:
            done += _run_one(pack, ticket, action, at, cause, values, cache)
        except ServiceError as exc:
            # A refused action (say, an illegal status) must not undo the others.
            events.record(ticket, "action_failed", None, at, reason=cause, error=exc.message)
            done.append(f"failed: {exc.message}")
    return done


def _run_one(pack: Any, ticket: Ticket, action: Any, at: datetime, cause: str,
             values: dict[str, Any] | None, cache: dict) -> list[str]:
    from tierdesk.integrations import outbound

    done: list[str] = []
    if action.send_template:
        subject, body = render_template(pack, action.send_template, ticket.language,
                                        template_values(ticket, values))
        outbox.enqueue_email(to=ticket.requester.email, subject=subject, body=body,
                             ticket_id=ticket.pk, template=action.send_template, at=at)
        done.append(f"sent template {action.send_template}")
    if action.notify:
        done.append(_notify(pack, ticket, action.notify, at, cause, cache))
    if action.escalate:
        from tierdesk.escalation.services import escalate

        escalate(ticket=ticket, viewer=_system(), to=action.escalate, criteria=[], handoff={},
                 by_rule=cause, pack=pack)
        done.append(f"escalated to {action.escalate}")
    if action.set_:
        changes = action.set_.model_dump(exclude_none=True)
        if "tier" in changes:
            from tierdesk.rules.lookups import tier

            changes["tier"] = tier(changes["tier"])
        _update(ticket, changes, cause)
        done.append(f"set {action.set_.model_dump(exclude_none=True)}")
    if action.add_tags:
        _update(ticket, {"tags": [*ticket.tags, *action.add_tags]}, cause)
        done.append(f"tagged {', '.join(action.add_tags)}")
    if action.assign:
        agents = _agents(pack, ticket, action.assign, at)
        if agents:
            _update(ticket, {"assignee": agents[0]}, cause)
            done.append(f"assigned to {agents[0]}")
        else:
            done.append("assign: nobody to assign")
    if action.issue_credit:
        events.record(ticket, "credit_issued", None, at, amount=action.issue_credit.amount,
                      currency=action.issue_credit.currency, reason=cause)
        done.append(f"credit {action.issue_credit.amount}")
    if action.post_slack:
        text = f"[Ticket #{ticket.pk}] {ticket.priority} {ticket.subject} ({cause})"
        done.append(_integration(ticket, at, cause, "slack", outbound.post_slack(
            channel=action.post_slack.channel, text=text, ticket_id=ticket.pk, at=at)))
    if action.open_jira:
        done.append(_integration(ticket, at, cause, "jira", outbound.open_jira(
            project=action.open_jira.project, issue_type=action.open_jira.issue_type,
            summary=f"[Ticket #{ticket.pk}] {ticket.subject}",
            description=f"{ticket.priority} {ticket.error_code} escalated by {cause}",
            ticket_id=ticket.pk, at=at)))
    if action.webhook:
        done.append(_integration(ticket, at, cause, "webhook", outbound.send_webhook(
            url=action.webhook.url, event=cause, ticket_id=ticket.pk, at=at,
            body={"ticket_id": ticket.pk, "priority": ticket.priority,
                  "status": ticket.status, "subject": ticket.subject})))
    if action.request_kb_article:
        events.record(ticket, "kb_article_requested", None, at, reason=cause)
        done.append("requested a KB article")
    return done


def _integration(ticket: Ticket, at: datetime, cause: str, name: str, queued: bool) -> str:
    if queued:
        return f"queued {name}"
    events.record(ticket, "action_skipped", None, at, action=name,
                  reason=f"{cause}: {name} is not configured")
    return f"skipped {name} (not configured)"
