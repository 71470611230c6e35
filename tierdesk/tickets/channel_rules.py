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

from tierdesk.common.errors import ServiceError
from tierdesk.customers.models import Organisation
from tierdesk.tickets.models import Channel

LIVE_CHANNELS = frozenset({Channel.PHONE, Channel.CHAT, Channel.SLACK})
NAMES = {"phone": "phone line", "chat": "live chat", "slack": "Slack channel",
         "portal": "portal", "email": "email address", "chatbot": "chatbot"}


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
        message = f"{why}; please use {where} instead" if where else why
        raise ChannelRefused(message, field="channel", details={
            "channel": channel,
            "use": [{"channel": name, "address": ch.address} for name, ch in alternatives],
        })
    if rule.hours and channel in LIVE_CHANNELS:
        opens = _next_opening(pack, rule.hours, organisation, now)
        if opens is not None and opens > now:
            local = opens.astimezone(_zone(pack, rule.hours, organisation))
            raise ChannelRefused(
                f"the {_name(channel)} is closed now; it opens "
                f"{local:%A %Y-%m-%d %H:%M} ({local.tzname()})",
                field="channel", details={"channel": channel, "opens_at": opens.isoformat()})


def _refusal(rule: Any, channel: str, priority: str,
             organisation: Organisation | None) -> str | None:
    name = _name(channel)
    if rule.priorities is not None and priority not in rule.priorities:
        return (f"the {name} is for {_either(rule.priorities)} tickets only "
                f"(this one is {priority or 'unclassified'})")
    plan = organisation.plan if organisation is not None else ""
    if rule.plans is not None and plan not in rule.plans:
        return (f"the {name} is for {_either(rule.plans)} plans only "
                f"({'your plan is ' + plan if plan else 'no plan on record'})")
    if rule.vip_only and not (organisation is not None and organisation.vip):
        return f"the {name} is for V-VIP organisations only"
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
    return NAMES.get(channel, channel)


def _label(name: str, channel: Any) -> str:
    return f"the {_name(name)} ({channel.address})" if channel.address else f"the {_name(name)}"


def _either(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]
