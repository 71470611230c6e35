"""What the pack promises a customer, in words: the SLA of their plan per priority and the
channel rules (for NexaCore, a P1 goes to the phone line, not the portal)."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tierdesk.policy import match_sla_policy


def duration_words(minutes: int) -> str:
    if minutes % (24 * 60) == 0 and minutes >= 24 * 60:
        days = minutes // (24 * 60)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@dataclass(frozen=True)
class Promise:
    priority: str
    name: str
    first_response: str | None
    resolution: str | None
    calendar: str | None
    policy: str | None


def sla_promises(pack: Any, organisation: Any, channel: str = "portal") -> list[Promise]:
    """Return the first-response and resolution targets per priority for the organisation."""
    out = []
    for p in pack.priorities:
        facts = {"priority": p.code, "plan": organisation.plan if organisation else None,
                 "channel": channel, "vip": bool(organisation and organisation.vip),
                 "organisation": organisation.external_id if organisation else None,
                 "tags": set()}
        match = match_sla_policy(pack, facts)
        targets = match.targets if match else {}
        out.append(Promise(
            priority=p.code, name=p.name,
            first_response=duration_words(targets["first_response"])
            if "first_response" in targets else None,
            resolution=duration_words(targets["resolution"]) if "resolution" in targets else None,
            calendar=match.calendar if match else None, policy=match.policy if match else None,
        ))
    return out


def channel_rules(pack: Any, organisation: Any) -> list[str]:
    """Return sentences saying which requests the portal takes and where the others go."""
    channels = pack.channels or {}
    plan = organisation.plan if organisation else None
    portal = channels.get("portal")
    lines = []
    if portal is not None and portal.priorities:
        lines.append(_("The portal takes %(priorities)s requests.")
                     % {"priorities": ", ".join(portal.priorities)})
    for name, channel in channels.items():
        if name == "portal" or channel.automated:
            continue
        if channel.plans and plan not in channel.plans:
            continue
        if channel.vip_only and not (organisation and organisation.vip):
            continue
        where = channel.description or (
            f"{name.capitalize()}: {channel.address}" if channel.address else name)
        if channel.priorities:
            lines.append(_("%(priorities)s: %(where)s")
                         % {"priorities": ", ".join(channel.priorities), "where": where})
        else:
            lines.append(where)
    return lines
