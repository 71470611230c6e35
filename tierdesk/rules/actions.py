"""Carry out a pack's actions for one ticket (rules, SLA ``on_breach``/``on_warning``).

Ticket changes go through the ticket services as the platform itself, so each is audited,
moves the SLA and may trigger further rules; messages go through the outbox. Integrations
(Slack, Jira, webhooks) act only when configured; otherwise the action is recorded as
skipped so nobody mistakes silence for delivery.
"""

import functools
import logging
from datetime import datetime
from typing import Any

from tierdesk.common import generations, prepared
from tierdesk.common.errors import ServiceError
from tierdesk.outbox import services as outbox
from tierdesk.people.models import Agent, Group
from tierdesk.tickets import events
from tierdesk.tickets.mail_templates import render_template
from tierdesk.tickets.models import Ticket

log = logging.getLogger(__name__)


def _platform_role(pack: Any, role: str) -> str:
    for r in pack.roles:
        if getattr(r, "code", r) == role:
            return getattr(r, "based_on", None) or role
    return role


def describe_recipient(pack: Any, recipient: Any) -> str:
    """Return a recipient as people say it: "role cto (based on director)"."""
    if recipient.role:
        based = _platform_role(pack, recipient.role)
        return f"role {recipient.role}" + (f" (based on {based})" if based != recipient.role
                                           else "")
    if recipient.tier:
        return f"tier {recipient.tier}"
    if recipient.unit:
        return f"unit {recipient.unit}"
    if recipient.on_call:
        return f"the on-call rotation {recipient.on_call}"
    return "anyone"


def _chart_role(pack: Any, role: str) -> list[Agent] | None:
    """Return who holds ``role`` on the pack's organisation chart (or covers for them);
    None when the chart does not place that role, so everyone holding it is reached."""
    from tierdesk.org.selectors import role_holders

    return role_holders(pack, role)


def agents_for(pack: Any, recipient: Any, at: datetime) -> list[Agent]:
    """Return the active agents a ``notify``/``assign`` recipient reaches at ``at``."""
    return _agents(pack, None, recipient, at)


def _agents(pack: Any, ticket: Ticket | None, recipient: Any, at: datetime) -> list[Agent]:
    agents = Agent.objects.filter(is_active=True).select_related("user")
    if recipient.role:
        held = _chart_role(pack, recipient.role)
        if held is not None:
            return held
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


def _role_emails(roles: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {role: [] for role in roles}
    for role, email in prepared.fetch_all(_role_emails_sql(len(roles)), list(roles)):
        if email:
            found[role].append(email)
    return found


def _notify(pack: Any, ticket: Ticket, recipients: list[Any], at: datetime, cause: str,
            cache: dict) -> str:
    emails: list[str] = []
    # Who holds a role (or is on call) does not depend on the ticket: a sweep batch of
    # 2,000 breaches asks once, and the roles of one action are asked in one query.
    keys = [(r.model_dump_json(), at) for r in recipients]
    for r, key in zip(recipients, keys, strict=True):
        if r.role and key not in cache:
            held = _chart_role(pack, r.role)  # the chart first: CSU's one Lead Technical
            if held is not None:
                cache[key] = [a.user.email for a in held if a.user.email]
    roles = {key: _platform_role(pack, r.role)
             for r, key in zip(recipients, keys, strict=True) if r.role and key not in cache}
    if roles:
        wanted = tuple(sorted(set(roles.values())))
        found = generations.cached("staff", ("role_emails", wanted),
                                   lambda: _role_emails(wanted))
        for key, role in roles.items():
            cache[key] = found[role]
    for recipient, key in zip(recipients, keys, strict=True):
        if recipient.customer:
            emails.append(ticket.requester.email)
            continue
        if key not in cache:
            cache[key] = [a.user.email for a in _agents(pack, ticket, recipient, at)
                          if a.user.email]
        if not cache[key]:
            # Never pretend: a handbook line saying "Notify the CTO" with no CTO on staff
            # is recorded, and `/readyz` and `policy check --instance` warn about it.
            events.record(ticket, "notify_undelivered", None, at, reason=cause,
                          recipient=recipient.model_dump(exclude_none=True),
                          error=f"nobody holds {describe_recipient(pack, recipient)}")
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
        mail = render_template(pack=pack, name=action.send_template, ticket=ticket,
                               values=values)
        outbox.enqueue_email(to=ticket.requester.email, subject=mail.subject, body=mail.body,
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
            from tierdesk.escalation.routing import staffed_queue
            from tierdesk.rules.lookups import tier

            code = changes["tier"]
            changes["tier"] = tier(code)
            if ticket.tier_id != getattr(changes["tier"], "pk", None):
                # A ticket handed to a tier goes to that tier's queue, never out of sight.
                queue = staffed_queue(code, tier=True)
                if queue.pk != ticket.group_id:
                    changes.update(group=queue, assignee=None)
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
        # Into the refunds ledger, once per rule and ticket however often the rule fires.
        from tierdesk.refunds.services import credit_issue

        _, given = credit_issue(ticket=ticket, amount=action.issue_credit.amount,
                                currency=action.issue_credit.currency, rule=cause,
                                key=f"{cause} ticket {ticket.pk}"[:200], at=at)
        done.append(f"credit {action.issue_credit.amount}" if given
                    else f"credit {action.issue_credit.amount} already given")
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
