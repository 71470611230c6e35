"""The instance's side of a case, services in: the customer, the ticket, each step's
action (through the same services a person's click reaches) and the sweeps a server
would have run by then."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from tierdesk.policy_tests.scenarios import Case, DecisionStep, RefundStep, SurveyStep

STATUS_ACTIONS = {"pending": "pending", "open": "open", "on_hold": "on_hold",
                  "solve": "solved", "close": "closed", "reopen": "open"}
# The one-click link a survey mail carries (surveys.links.url_for): the customer answers
# through it, so a case answers through it too.
_SURVEY_LINK = re.compile(r"/survey/(?P<token>[^/\s?]+)/")

# Periodic jobs no case can observe, left out of the sweeps before each step (a case is
# one customer's one ticket): scheduled reports to managers (they read the whole
# instance: three quarters of a run's time when they ran), mailbox polling (the instance
# has no mailboxes), KB tasks for an error code past N tickets a month (one ticket never
# is) and risk-register review reminders (no ticket's).
NOT_SWEPT = frozenset({"scheduled_reports", "poll_mailboxes", "kb_recurring_codes",
                       "risk_reviews_due", "reports_count"})


def customer(case: Case) -> Any:
    from django.contrib.auth import get_user_model

    from tierdesk.customers.models import Contact, Organisation

    c = case.customer
    org = Organisation.objects.create(
        name=c.name or f"{case.name} Ltd", external_id=c.external_id or case.name[:64],
        plan=c.plan, country=c.country, timezone=c.timezone, language=c.language, vip=c.vip)
    user = get_user_model().objects.create(username="customer", email="customer@example.com")
    return Contact.objects.create(organisation=org, user=user, name=f"Customer of {org.name}",
                                  email="customer@example.com", language=c.language)


def agent_viewer() -> Any:
    from tierdesk.people.access import viewer_for
    from tierdesk.people.models import Agent

    agent = (Agent.objects.filter(tier__isnull=False).order_by("tier__rank", "id").first()
             or Agent.objects.filter(role="agent").first())
    return viewer_for(agent.user)


def viewer_of_role(role: str) -> Any:
    """The staff person holding platform ``role`` (the one named for it first)."""
    from tierdesk.common.errors import Forbidden
    from tierdesk.people.access import viewer_for
    from tierdesk.people.models import Agent

    agent = (Agent.objects.filter(role=role, user__username=role).first()
             or Agent.objects.filter(role=role).order_by("id").first())
    if agent is None:
        raise Forbidden(f"nobody holds the {role} role: the pack names no such role")
    return viewer_for(agent.user)


def open_ticket(requester: Any, t: Any) -> Any:
    from tierdesk.people.access import viewer_for
    from tierdesk.tickets.services import ticket_create

    by_agent = bool(t.priority or t.category)
    viewer = agent_viewer() if by_agent else viewer_for(requester.user)
    ticket, _ = ticket_create(viewer=viewer, subject=t.subject, body=t.body,
                              requester=requester, channel=t.channel, priority=t.priority,
                              category=t.category, error_code=t.error_code,
                              language=t.language, tags=t.tags)
    return ticket


def act(ticket_id: int, do: Any, requester: Any, role: Any) -> None:
    """Do one step's action; a refusal is the service's ``ServiceError``. ``role`` maps
    a pack's role names to the platform's (``cto`` -> director)."""
    from tierdesk.escalation.services import required_handoff, ticket_escalate
    from tierdesk.packs.selectors import active_pack
    from tierdesk.people.access import viewer_for
    from tierdesk.tickets import services
    from tierdesk.tickets.models import Ticket

    name, value = (do, None) if isinstance(do, str) else next(iter(do.items()))
    if name == "wait":
        return
    ticket = Ticket.objects.get(pk=ticket_id)
    if name == "survey":
        answer_survey(ticket, SurveyStep.model_validate(value))
        return
    if name == "refund":
        request_refund(ticket, RefundStep.model_validate(value), role)
        return
    if name in ("approve_refund", "refuse_refund"):
        decide_refund(ticket, DecisionStep.of(value), role, approve=name == "approve_refund")
        return
    agent = agent_viewer()
    if name == "reply":
        services.ticket_reply(ticket=ticket, viewer=agent, body="An agent's answer.")
    elif name == "customer_reply":
        services.ticket_reply(ticket=ticket, viewer=viewer_for(requester.user),
                              body="The customer's answer.")
    elif name == "note":
        services.ticket_add_note(ticket=ticket, viewer=agent, body="An internal note.")
    elif name in STATUS_ACTIONS:
        services.ticket_update(ticket=ticket, viewer=agent,
                               changes={"status": STATUS_ACTIONS[name]})
    elif name == "set":
        services.ticket_update(ticket=ticket, viewer=agent, changes=dict(value or {}))
    elif name == "escalate":
        spec = value if isinstance(value, dict) else {"to": value}
        from_tier = ticket.tier.code if ticket.tier_id else None
        needed = required_handoff(active_pack(), from_tier or _first_tier(), spec["to"])
        ticket_escalate(ticket=ticket, viewer=agent, to=spec["to"],
                        criteria=list(spec.get("criteria") or []),
                        handoff={f: f"{f} (policy test)" for f in needed},
                        note="policy test")


def answer_survey(ticket: Any, step: SurveyStep) -> None:
    """Answer the ticket's satisfaction survey through the link in its mail, as the
    customer clicks it; refused (NotFound) when no survey was mailed yet."""
    from tierdesk.common.errors import NotFound
    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.packs.selectors import active_pack
    from tierdesk.surveys.services import survey_answer

    mail = (OutboxMessage.objects.filter(ticket_id=ticket.pk, kind="email",
                                         payload__template="csat_survey")
            .order_by("-id").values_list("payload", flat=True).first())
    link = _SURVEY_LINK.search(str(mail.get("body", ""))) if mail else None
    if link is None:
        pack = active_pack()
        csat = pack.surveys.get("csat") if pack is not None else None
        when = (f"the pack sends it {_duration(csat.send_after)} after the ticket is solved"
                if csat is not None else "the pack has no satisfaction survey")
        state = (f"solved {ticket.solved_at:%Y-%m-%d %H:%M} UTC" if ticket.solved_at
                 else f"the ticket is {ticket.status}")
        raise NotFound(f"no satisfaction survey was mailed to the customer yet ({when}; "
                       f"{state})")
    survey_answer(token=link["token"], score=step.score, comment=step.comment)


def request_refund(ticket: Any, step: RefundStep, role: Any) -> None:
    """Document a refund, credit or cancellation as ``step.by`` would (DataFlow 6.2)."""
    from tierdesk.packs.selectors import active_pack
    from tierdesk.refunds.services import refund_request

    pack = active_pack()
    currency = step.currency or (pack.refunds.currency if pack is not None and pack.refunds
                                 else "USD")
    refund_request(viewer=viewer_of_role(role(step.by)), ticket=ticket, kind=step.kind,
                   amount=step.amount, currency=currency, reason=step.reason,
                   days_since_charge=step.days_since_charge,
                   contract_dispute=step.contract_dispute)


def decide_refund(ticket: Any, step: DecisionStep, role: Any, *, approve: bool) -> None:
    """Approve or refuse the ticket's latest request still waiting for a decision."""
    from tierdesk.common.errors import NotFound
    from tierdesk.refunds.models import RefundRequest, RequestStatus
    from tierdesk.refunds.services import refund_approve, refund_refuse

    request = (RefundRequest.objects.filter(ticket=ticket, status=RequestStatus.PENDING)
               .order_by("-id").first())
    if request is None:
        raise NotFound("no refund request on the ticket is waiting for a decision")
    viewer = viewer_of_role(role(step.by))
    if approve:
        refund_approve(viewer=viewer, request=request, note=step.note)
    else:
        refund_refuse(viewer=viewer, request=request, note=step.note or "policy test")


def _duration(value: Any) -> str:
    hours = int(value.total_seconds() // 3600)
    return f"{hours} hours" if hours * 3600 == value.total_seconds() else str(value)


def _first_tier() -> str | None:
    from tierdesk.packs.selectors import active_pack

    pack = active_pack()
    return pack.tiers[0].code if pack and pack.tiers else None


def sweep(now: datetime) -> None:
    """What a server's sweeps would have done by ``now``: every periodic job but mail
    delivery and ``NOT_SWEPT``, then the SLA breach actions the SLA sweep queued
    (credits, apologies, notifications). Mail, Slack, Jira and webhooks stay in the
    outbox, where the checks read them; nothing is sent."""
    from tierdesk.jobs import registry
    from tierdesk.jobs.scheduler import SENDING_JOBS
    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.outbox.registry import handler_for
    from tierdesk.sla.sweep import ACTIONS_KIND

    for name in registry.periodic_names():
        if name not in SENDING_JOBS and name not in NOT_SWEPT:
            registry.run(name, now=now)
    for message in OutboxMessage.objects.filter(kind=ACTIONS_KIND,
                                                state=OutboxMessage.State.PENDING):
        handler_for(ACTIONS_KIND)(message)
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=OutboxMessage.State.DELIVERED, delivered_at=now)
