"""The placeholders a pack's templates may use, each with what fills it.

This list is the one place that says which ``{names}`` exist: ``policy check`` refuses a
template naming anything else (``unknown placeholder {credit_amt}``), and the renderer
(``tierdesk/tickets/mail_templates.py``) has one filler per name here, no more, no less.
When a ticket has nothing to fill a placeholder with (no error code, nobody assigned),
the ``fallback`` reads naturally in the message's language instead of leaving a hole.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .suggest import unknown_suffix


@dataclass(frozen=True)
class Placeholder:
    """A ``{name}`` a template may use; ``fills`` says where its text comes from."""

    name: str
    fills: str
    fallback: Mapping[str, str] = field(default_factory=dict)  # language -> text


def _p(name: str, fills: str, **fallback: str) -> Placeholder:
    return Placeholder(name, fills, fallback)


_ALL = (
    _p("ticket_id", "the ticket's number"),
    _p("subject", "the ticket's subject"),
    _p("customer_name", "the requester's name (else their email address)"),
    _p("organisation", "the customer organisation's name",
       en="your organisation", es="su organización", fr="votre organisation",
       ar="مؤسستك"),
    _p("plan", "the organisation's plan",
       en="support", es="de soporte", fr="de support", ar="الدعم"),
    _p("priority", "the ticket's priority code (P1)"),
    _p("priority_name", "the pack's name of the ticket's priority (High impact)"),
    _p("category", "the ticket's category",
       en="general", es="general", fr="général", ar="عام"),
    _p("issue", "the error code and its title (SSO-9001: Login failure), else the subject"),
    _p("error_code", "the ticket's error code (SSO-9001)",
       en="the section that matches your issue", es="la sección que corresponde a su problema",
       fr="la section qui correspond à votre problème", ar="القسم المتعلق بمشكلتك"),
    _p("error_title", "the title of the ticket's error code in the pack, else the subject"),
    _p("related_details", "the title of the ticket's error code in the pack, else the subject"),
    _p("article", "the knowledge-base article of the ticket's error code",
       en="our knowledge base", es="nuestra base de conocimientos",
       fr="notre base de connaissances", ar="قاعدة المعرفة لدينا"),
    _p("sla", "the SLA target in words (4 business hours): first response, or the clock "
              "that breached for an on_breach/on_warning message",
       en="the time your plan promises", es="el plazo de su plan", fr="le délai de votre offre",
       ar="الوقت المحدد في خطتك"),
    _p("update_within", "the ticket's periodic update target in words, else its resolution "
                        "target (24 business hours)",
       en="the time your plan promises", es="el plazo de su plan", fr="le délai de votre offre",
       ar="الوقت المحدد في خطتك"),
    _p("update_by", "when the ticket's next running SLA clock is due, in the customer's "
                    "time zone (2026-12-03 17:00 Europe/London)",
       en="as soon as possible", es="lo antes posible", fr="dès que possible",
       ar="في أقرب وقت ممكن"),
    _p("team", "the name of the tier or unit the ticket was last escalated to, else of its "
               "tier, without a trailing 'Team' (templates say 'our {team} team')",
       en="specialist", es="especializado", fr="spécialisée", ar="المختص"),
    _p("agent_name", "the assigned agent's name",
       en="The support team", es="El equipo de soporte", fr="L'équipe d'assistance",
       ar="فريق الدعم"),
    _p("manager_name", "the name of the agent holding the pack's support_manager role",
       en="The Support Manager", es="El responsable de soporte",
       fr="Le responsable du support", ar="مدير الدعم"),
    _p("credit_amount", "the credits issued on the ticket, with their currency ($50.00)",
       en="a credit", es="un crédito", fr="un avoir", ar="رصيدًا"),
    _p("amount", "the amount of the refund being confirmed, with its currency",
       en="the refund", es="el reembolso", fr="le remboursement", ar="المبلغ المسترد"),
    _p("credit_time", "when a refund appears on the customer's statement",
       en="5-7 business days", es="5-7 días hábiles", fr="5 à 7 jours ouvrés",
       ar="5-7 أيام عمل"),
    _p("score", "the survey score the customer gave (2/5)",
       en="low", es="baja", fr="faible", ar="منخفض"),
    _p("resolution", "the agent's note when the ticket was solved",
       en="see our last reply", es="vea nuestra última respuesta",
       fr="voir notre dernière réponse", ar="راجع ردنا الأخير"),
    _p("root_cause", "the root cause recorded when the ticket was solved",
       en="see our last reply", es="vea nuestra última respuesta",
       fr="voir notre dernière réponse", ar="راجع ردنا الأخير"),
)

PLACEHOLDERS: dict[str, Placeholder] = {p.name: p for p in _ALL}


def template_fields(text: str) -> list[str]:
    """Return the placeholder names ``text`` uses, in order (``{{`` is a literal brace)."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def unknown_placeholders(text: str) -> list[str]:
    """Return one message per placeholder in ``text`` that nothing fills."""
    return [
        f"unknown placeholder {{{name}}}"
        + unknown_suffix(name, PLACEHOLDERS, quote="{{{}}}")
        for name in dict.fromkeys(template_fields(text))
        if name not in PLACEHOLDERS
    ]


def fallback(name: str, language: str, default_language: str = "en") -> str:
    """Return the text for ``name`` when the ticket has no value for it."""
    texts = PLACEHOLDERS[name].fallback
    return texts.get(language) or texts.get(default_language) or texts.get("en") or ""


def render(text: str, value: Callable[[str], str]) -> str:
    """Return ``text`` with each ``{name}`` replaced by ``value(name)`` (called once per name)."""
    cache: dict[str, str] = {}

    def get(name: str) -> str:
        if name not in cache:
            cache[name] = value(name)
        return cache[name]

    out = []
    for literal, name, _, _ in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(get(name))
    return "".join(out)
