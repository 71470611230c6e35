"""The pack's channel rules, checked at intake before anything is written.

A pack's ``channels`` say who may use a channel for what: ``plans`` (DataFlow: "Phone ...
(Professional/Enterprise)"), ``priorities`` (NexaCore: "Direct Phone Line | P1 Incidents
only"), ``vip_only`` (NexaCore: "Dedicated Slack Channel | High-Value Clients (V-VIP)")
and ``hours``. A channel the pack does not declare has no rule.

``hours`` close only the *live* channels (phone, chat, Slack): out of hours nobody is
there to answer, so the intake is refused with the next opening time. A queued channel
(portal, email, API, social) takes requests at any hour; its hours are when the team
works them, which the SLA calendar already counts.

Costs no query of its own: the classification that runs first has loaded the active pack
(memoised per transaction) and the requester's organisation.
"""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.common.errors import ServiceError
from tierdesk.customers.models import Organisation
from tierdesk.languages.dates import weekday_and_time
from tierdesk.tickets.models import Channel

LIVE_CHANNELS = frozenset({Channel.PHONE, Channel.CHAT, Channel.SLACK})
# Whole phrases, article included, so each language can give its own ("la línea").
NAMES = {"phone": gettext_lazy("the phone line"), "chat": gettext_lazy("the live chat"),
         "slack": gettext_lazy("the Slack channel"), "portal": gettext_lazy("the portal"),
         "email": gettext_lazy("the email address"), "chatbot": gettext_lazy("the chatbot")}


class ChannelRefused(ServiceError):
    """The pack does not take this ticket on this channel; nothing was created."""

    status_code = 422
    code = "channel_refused"


def check_channel(*, pack: Any, channel: str, priority: str,
                  organisation: Organisation | None, now: datetime) -> None:
    """Raise ``ChannelRefused`` unless the pack's rule for ``channel`` admits the ticket.

    The answer names the channels that would take it (and their addresses), or, out of
    hours, when the channel opens next.
    """
    rule = pack.channels.get(channel) if pack is not None else None
    if rule is None:
        return
    why = _refusal(rule, channel, priority, organisation)
    if why is not None:
        alternatives = _alternatives(pack, channel, priority, organisation)
        where = ", ".join(_label(name, ch) for name, ch in alternatives)
        message = (_("%(why)s; please use %(where)s instead") % {"why": why, "where": where}
                   if where else why)
        raise ChannelRefused(message, field="channel", details={
            "channel": channel,
            "use": [{"channel": name, "address": ch.address} for name, ch in alternatives],
        })
    if rule.hours and channel in LIVE_CHANNELS:
        opens = _next_opening(pack, rule.hours, organisation, now)
        if opens is not None and opens > now:
            local = opens.astimezone(_zone(pack, rule.hours, organisation))
            raise ChannelRefused(
                _("%(channel)s is closed now; it opens %(when)s") % {
                    "channel": _name(channel),
                    "when": weekday_and_time(local)},
                field="channel", details={"channel": channel, "opens_at": opens.isoformat()})


def _refusal(rule: Any, channel: str, priority: str,
             organisation: Organisation | None) -> str | None:
    name = _name(channel)
    if rule.priorities is not None and priority not in rule.priorities:
        return _("%(channel)s is for %(allowed)s tickets only (this one is %(priority)s)") % {
            "channel": name, "allowed": _either(rule.priorities),
            "priority": priority or _("unclassified")}
    plan = organisation.plan if organisation is not None else ""
    if rule.plans is not None and plan not in rule.plans:
        if plan:
            return _("%(channel)s is for %(plans)s plans only (your plan is %(plan)s)") % {
                "channel": name, "plans": _either(rule.plans), "plan": plan}
        return _("%(channel)s is for %(plans)s plans only (no plan on record)") % {
            "channel": name, "plans": _either(rule.plans)}
    if rule.vip_only and not (organisation is not None and organisation.vip):
        return _("%(channel)s is for V-VIP organisations only") % {"channel": name}
    return None


def _alternatives(pack: Any, refused: str, priority: str,
                  organisation: Organisation | None) -> list[tuple[str, Any]]:
    """Channels of the pack that take tickets and would take this one."""
    return [(name, ch) for name, ch in pack.channels.items()
            if name != refused and name in Channel.values and not ch.automated
            and _refusal(ch, name, priority, organisation) is None]


def _calendar(pack: Any, name: str, organisation: Organisation | None):
    from tierdesk.sla.calendars import calendar_for_spec, calendar_spec

    return calendar_for_spec(calendar_spec(
        pack, name, timezone=organisation.timezone if organisation else None,
        country=organisation.country if organisation else None))


def _next_opening(pack: Any, name: str, organisation: Organisation | None,
                  now: datetime) -> datetime | None:
    if name not in pack.calendars:
        return None
    return _calendar(pack, name, organisation).next_business_instant(now)


def _zone(pack: Any, name: str, organisation: Organisation | None):
    return _calendar(pack, name, organisation).tzinfo


def _name(channel: str) -> str:
    """Return "the phone line" (in the language being spoken) for ``phone``."""
    name = NAMES.get(channel)
    return str(name) if name is not None else _("the %(channel)s") % {"channel": channel}


def _label(name: str, channel: Any) -> str:
    if not channel.address:
        return _name(name)
    return _("%(channel)s (%(address)s)") % {"channel": _name(name), "address": channel.address}


def _either(values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(values[:-1]), "last": values[-1]}
