"""Phone calls: an agent logs each call on its ticket (an audit event holding direction,
number, duration, outcome and the recording's address), and an inbound call can open the
ticket itself, under the pack's phone rules (NexaCore: "Direct Phone Line | P1 Incidents
only | (On-call rotation)": a P1 call goes to the on-call engineer by the pack's rule)."""

import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.customers.models import Contact
from tierdesk.people.access import Viewer
from tierdesk.tickets import events
from tierdesk.tickets import services as tickets
from tierdesk.tickets.models import Channel, Ticket

DIRECTIONS = ("inbound", "outbound")
OUTCOMES = ("answered", "missed", "voicemail", "busy", "failed")
NUMBER = re.compile(r"^\+?[0-9 ()./-]{3,32}$")


@dataclass(frozen=True)
class Call:
    direction: str
    number: str
    duration_seconds: int
    outcome: str
    recording_url: str = ""
    notes: str = ""


def check_call(call: Call) -> None:
    """Refuse a call record that could not have happened, naming the field."""
    if call.direction not in DIRECTIONS:
        raise ServiceError(f"direction must be one of {', '.join(DIRECTIONS)}",
                           field="direction")
    if not NUMBER.match(call.number.strip()):
        raise ServiceError("number must be a phone number (digits, spaces, + ( ) - . /)",
                           field="number")
    if not 0 <= call.duration_seconds <= 24 * 3600:
        raise ServiceError("duration_seconds must be between 0 and 86400",
                           field="duration_seconds")
    if call.outcome not in OUTCOMES:
        raise ServiceError(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    if call.outcome != "answered" and call.duration_seconds and call.outcome != "voicemail":
        raise ServiceError(f"a {call.outcome} call has no duration", field="duration_seconds")
    if call.recording_url:
        parts = urlsplit(call.recording_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ServiceError("recording_url must be an http(s) address",
                               field="recording_url")


def _record(ticket: Ticket, viewer: Viewer, call: Call) -> None:
    events.record(ticket, "call_logged", viewer.user, clock.now(),
                  **{**asdict(call), "number": call.number.strip()})


@transaction.atomic(durable=True)
def call_log(*, ticket: Ticket, viewer: Viewer, call: Call) -> Ticket:
    """Log a call on a ticket the agent can see."""
    if not viewer.is_agent:
        raise Forbidden("only agents log calls")
    check_call(call)
    ticket = tickets.locked(ticket)
    _record(ticket, viewer, call)
    return ticket


@transaction.atomic(durable=True)
def call_inbound(*, viewer: Viewer, requester: Contact, call: Call, subject: str,
                 summary: str, priority: str = "") -> Ticket:
    """Open a ticket for an inbound call the agent took, and log the call on it.

    The pack's phone rule refuses what the line is not for (NexaCore: anything but P1)
    before anything is written; its rules route the ticket (the on-call engineer).
    """
    if not viewer.is_agent:
        raise Forbidden("only agents log calls")
    check_call(call)
    if call.direction != "inbound":
        raise ServiceError("a call that opens a ticket is inbound", field="direction")
    ticket = tickets.create(viewer=viewer, subject=subject, body=summary,
                            requester=requester, channel=Channel.PHONE, priority=priority)
    _record(ticket, viewer, call)
    return ticket
