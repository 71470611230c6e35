"""Customer mail from a pack's templates, every placeholder filled.

Values come from the ticket, its customer and plan, its SLA clocks (in words: "4 business
hours"), its error code and the people holding the pack's roles. The placeholder names
and what fills them are listed once, in ``tierdesk/policy/placeholders.py``; this module
has one filler per name there. A template renders in the ticket's language when it has
that language, else in the pack's default; a value the ticket does not have (no error
code, nobody assigned yet) reads as the placeholder's fallback in that language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tierdesk.policy.durations import duration_words
from tierdesk.policy.placeholders import PLACEHOLDERS, fallback, render
from tierdesk.tickets.models import Ticket

GENERIC_ACKNOWLEDGEMENT = "ticket_received"
_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class Rendered:
    """A message ready for the outbox: which template, in which language."""

    template: str
    language: str
    subject: str
    body: str


def message_language(pack: Any, ticket: Ticket) -> str:
    """Return the ticket's language if the pack speaks it, else the pack's default."""
    return ticket.language if ticket.language in pack.languages else pack.default_language


def render_template(*, pack: Any, name: str, ticket: Ticket,
                    values: Mapping[str, Any] | None = None) -> Rendered:
    """Return template ``name`` for ``ticket``; ``values`` fill what only the caller knows
    (a survey ``score``, a refund ``amount``; ``metric`` and ``target_minutes`` for
    the clock an SLA message is about)."""
    template = pack.templates[name]
    wanted = message_language(pack, ticket)
    fill = _Filler(pack, ticket, values or {})

    def pick(texts: Mapping[str, str]) -> tuple[str, str]:
        lang = wanted if wanted in texts else pack.default_language
        return render(texts[lang], lambda n: fill.value(n, lang)), lang

    body, language = pick(template.body)
    subject = (pick(template.subject)[0] if template.subject
               else f"[Ticket #{ticket.pk}] {ticket.subject}")
    return Rendered(name, language, subject, body)


def acknowledgement(*, pack: Any | None, ticket: Ticket) -> Rendered:
    """Return the one acknowledgement of a new ticket: the pack's, else the generic one."""
    if pack is not None and pack.acknowledgement in pack.templates:
        return render_template(pack=pack, name=pack.acknowledgement, ticket=ticket)
    return generic_acknowledgement(ticket)


def generic_acknowledgement(ticket: Ticket) -> Rendered:
    """Tierdesk's own receipt, in the ticket's language when Tierdesk is translated to it
    (Arabic, Spanish, French: tierdesk/locale), else in English."""
    from django.conf import settings
    from django.utils import translation

    language = ticket.language if ticket.language in dict(settings.LANGUAGES) else "en"
    with translation.override(language):
        body = translation.gettext(
            "We have received your request #%(number)s and will reply soon.") % {
            "number": ticket.pk}
    return Rendered(GENERIC_ACKNOWLEDGEMENT, language,
                    f"[Ticket #{ticket.pk}] {ticket.subject}", body)


class _Filler:
    """Values of one ticket's placeholders, each looked up only if a template uses it."""

    def __init__(self, pack: Any, ticket: Ticket, values: Mapping[str, Any]) -> None:
        self.pack, self.ticket, self.values = pack, ticket, values
        self.org = ticket.organisation if ticket.organisation_id else None
        self.error = pack.error_codes.get(ticket.error_code) if ticket.error_code else None

    def value(self, name: str, language: str) -> str:
        given = self.values.get(name)
        found = given if given not in (None, "") else FILLERS[name](self, language)
        if found in (None, ""):
            return fallback(name, language, self.pack.default_language)
        return str(found)

    # Ticket and customer
    def subject(self, _: str) -> str:
        return self.ticket.subject

    def customer_name(self, _: str) -> str:
        requester = self.ticket.requester
        return requester.name or requester.email

    def priority_name(self, _: str) -> str:
        names = {p.code: p.name for p in self.pack.priorities}
        return names.get(self.ticket.priority, self.ticket.priority)

    def issue(self, _: str) -> str:
        code = self.ticket.error_code
        if self.error is not None:
            return f"{code}: {self.error.title}"
        return code or self.ticket.subject

    def error_title(self, _: str) -> str:
        return self.error.title if self.error is not None else self.ticket.subject

    # SLA clocks
    def _target(self, metric: str) -> tuple[int | None, bool]:
        """Return (minutes, on business time) of ``metric`` for this ticket, from the pack."""
        from tierdesk.policy import match_sla_policy
        from tierdesk.sla.services import ticket_facts

        match = match_sla_policy(self.pack, ticket_facts(self.ticket))
        if match is None or metric not in match.targets:
            return None, False
        calendar = self.pack.calendars.get(match.calendar)
        return match.targets[metric], not getattr(calendar, "always", False)

    def sla(self, language: str) -> str | None:
        metric = self.values.get("metric") or "first_response"
        minutes, business = self._target(metric)
        if self.values.get("target_minutes"):
            minutes = int(self.values["target_minutes"])
        return None if minutes is None else duration_words(
            minutes, business=business, language=language)

    def update_within(self, language: str) -> str | None:
        for metric in ("periodic_update", "resolution"):
            minutes, business = self._target(metric)
            if minutes is not None:
                return duration_words(minutes, business=business, language=language)
        return None

    def update_by(self, _: str) -> str | None:
        from tierdesk.sla.models import SlaTarget

        due = (SlaTarget.objects.filter(ticket=self.ticket, due_at__isnull=False,
                                        state="running", breached_at__isnull=True)
               .order_by("due_at").values_list("due_at", flat=True).first())
        if due is None:
            return None
        zone = self.org.timezone if self.org and self.org.timezone else self.pack.timezone
        return f"{due.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"

    # People and teams
    def team(self, _: str) -> str | None:
        from tierdesk.tickets import batch
        from tierdesk.tickets.models import TicketEvent

        # An escalation in this transaction is the latest; a ticket created in it has no
        # other to look for in the database.
        gathered = batch.gathered_event(self.ticket, "escalated")
        if gathered is not None:
            to = gathered.data.get("to")
        elif batch.created_here(self.ticket):
            to = None
        else:
            to = (TicketEvent.objects.filter(ticket=self.ticket, type="escalated")
                  .order_by("-id").values_list("data__to", flat=True).first())
        names = {t.code: t.name for t in self.pack.tiers} | {u.code: u.name
                                                              for u in self.pack.units}
        name = names.get(to, to) if to else (self.ticket.tier.name if self.ticket.tier_id
                                              else None)
        # Templates say "our {team} team": "Product Team" reads as "Product" there.
        return name.removesuffix(" Team").removesuffix(" team") if name else None

    def agent_name(self, _: str) -> str | None:
        return str(self.ticket.assignee) if self.ticket.assignee_id else None

    def manager_name(self, _: str) -> str | None:
        from tierdesk.people.models import Agent

        manager = (Agent.objects.filter(is_active=True, role="support_manager")
                   .select_related("user").order_by("user__username").first())
        return str(manager) if manager is not None else None

    # Money
    def credit_amount(self, _: str) -> str | None:
        from tierdesk.tickets.models import TicketEvent

        credits = TicketEvent.objects.filter(ticket=self.ticket, type="credit_issued")
        totals: dict[str, float] = {}
        for data in credits.values_list("data", flat=True):
            currency = data.get("currency") or self._currency()
            totals[currency] = totals.get(currency, 0) + float(data.get("amount") or 0)
        return ", ".join(_money(amount, currency) for currency, amount in totals.items()
                         if amount) or None

    def _currency(self) -> str:
        return self.pack.refunds.currency if self.pack.refunds else "USD"


def _money(amount: float, currency: str) -> str:
    text = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    sign = _CURRENCY_SIGNS.get(currency)
    return f"{sign}{text}" if sign else f"{text} {currency}"


def _given(_: _Filler, __: str) -> None:
    """Filled only by the caller's ``values`` (a refund's amount, a survey's score)."""
    return None


def _attr(getter: Callable[[_Filler], Any]) -> Callable[[_Filler, str], Any]:
    return lambda filler, _: getter(filler)


FILLERS: dict[str, Callable[[_Filler, str], Any]] = {
    "ticket_id": _attr(lambda f: f.ticket.pk),
    "subject": _Filler.subject,
    "customer_name": _Filler.customer_name,
    "organisation": _attr(lambda f: f.org.name if f.org else None),
    "plan": _attr(lambda f: f.org.plan if f.org else None),
    "priority": _attr(lambda f: f.ticket.priority),
    "priority_name": _Filler.priority_name,
    "category": _attr(lambda f: f.ticket.category),
    "issue": _Filler.issue,
    "error_code": _attr(lambda f: f.ticket.error_code),
    "error_title": _Filler.error_title,
    "related_details": _Filler.error_title,
    "article": _attr(lambda f: f.error.article if f.error is not None else None),
    "sla": _Filler.sla,
    "update_within": _Filler.update_within,
    "update_by": _Filler.update_by,
    "team": _Filler.team,
    "agent_name": _Filler.agent_name,
    "manager_name": _Filler.manager_name,
    "credit_amount": _Filler.credit_amount,
    "amount": _given,
    "credit_time": _given,
    "score": _given,
    "resolution": _given,
    "root_cause": _given,
}
if set(FILLERS) != set(PLACEHOLDERS):  # the list in policy/ is the contract: fail at import
    raise ImportError(f"placeholders without a filler or list entry: "
                      f"{sorted(set(FILLERS) ^ set(PLACEHOLDERS))}")

