"""Slack (NexaCore: "Dedicated Slack Channel | High-Value Clients (V-VIP)"): a message in a
customer's shared channel opens a ticket (a thread reply adds to it), and an agent's
reply is posted back in the thread with slack-sdk, through the outbox.

The Events API request is verified with slack-sdk's ``SignatureVerifier`` before anything
is read; the pack's channel rules (V-VIP only, business hours) apply as on any intake.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from tierdesk.common.errors import NotFound, ServiceError
from tierdesk.intake.lines import add_line, external_contact
from tierdesk.intake.models import SlackChannel, SlackThread
from tierdesk.languages.detection import UNDETERMINED, detect_for_pack
from tierdesk.languages.services import route_by_language
from tierdesk.outbox import services as outbox
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.tickets import events
from tierdesk.tickets import services as tickets
from tierdesk.tickets.models import Channel, Message, Ticket

log = logging.getLogger(__name__)
REPLY_KIND = "slack_reply"
TIMEOUT_SECONDS = 10


class UnknownChannel(NotFound):
    code = "unknown_slack_channel"


@dataclass(frozen=True)
class Outcome:
    """What became of one Slack event: ``created``, ``threaded``, ``duplicate`` or
    ``ignored`` (a bot's own post, an edit), with the ticket when there is one."""

    result: str
    ticket_id: int | None = None
    why: str = ""


def verify(body: bytes, timestamp: str | None, signature: str | None) -> bool:
    """Return True if Slack signed ``body`` with our signing secret, recently."""
    from slack_sdk.signature import SignatureVerifier

    secret = settings.SLACK_SIGNING_SECRET
    if not secret or not timestamp or not signature:
        return False
    return SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp,
                                              signature=signature)


def _user_profile(user_id: str) -> tuple[str, str]:
    """Return (name, email) of a Slack user from users.info; blanks when unknown."""
    if not settings.SLACK_BOT_TOKEN:
        return "", ""
    try:
        from slack_sdk import WebClient

        client = WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL,
                           timeout=TIMEOUT_SECONDS, retry_handlers=[])
        profile = client.users_info(user=user_id)["user"].get("profile", {})
        return profile.get("real_name", "") or "", profile.get("email", "") or ""
    except Exception:  # noqa: BLE001 - the message still lands, under the Slack id
        log.warning("Slack users.info failed for %s", user_id, exc_info=True)
        return "", ""


def receive_message(event: dict) -> Outcome:
    """Turn one ``message`` event into a ticket or a line on its ticket.

    1. Ignore what is not a customer's words: bot posts (our own replies come back as
       events), edits and deletions (``subtype``).
    2. The channel must be a customer's shared channel we know; otherwise refuse with
       ``UnknownChannel`` and write nothing.
    3. A thread reply goes onto the thread's ticket; a top-level message opens a ticket.
       The message ``ts`` is the idempotency key: Slack's retries change nothing.
    """
    if event.get("type") != "message":
        return Outcome("ignored", why=f"event type {event.get('type')!r}")
    if event.get("bot_id") or event.get("subtype"):
        return Outcome("ignored", why="bot message or edit")
    channel_id = str(event.get("channel") or "")
    text = str(event.get("text") or "").strip()
    ts = str(event.get("ts") or "")
    user_id = str(event.get("user") or "")
    if not ts or not user_id:
        raise ServiceError("a Slack message needs ts and user", field="event.ts")
    if not text:
        raise ServiceError("the Slack message has no text", field="event.text")
    channel = SlackChannel.objects.select_related("organisation").filter(
        channel_id=channel_id).first()
    if channel is None:
        raise UnknownChannel(
            f"Slack channel {channel_id or '(none)'} is not linked to a customer; link it "
            "in the admin (Slack channels) first", field="event.channel")
    external_id = f"slack:{channel_id}:{ts}"
    existing = Message.objects.filter(external_id=external_id).values_list(
        "ticket_id", flat=True).first()
    if existing is not None:
        return Outcome("duplicate", existing, "this Slack message was already received")
    name, email = _user_profile(user_id)
    try:
        return _receive(channel=channel, text=text, ts=ts, thread_ts=event.get("thread_ts"),
                        user_id=user_id, name=name, email=email, external_id=external_id)
    except IntegrityError:
        ticket_id = Message.objects.filter(external_id=external_id).values_list(
            "ticket_id", flat=True).first()
        if ticket_id is None:
            raise
        return Outcome("duplicate", ticket_id, "this Slack message was already received")


@transaction.atomic(durable=True)
def _receive(*, channel: SlackChannel, text: str, ts: str, thread_ts: str | None,
             user_id: str, name: str, email: str, external_id: str) -> Outcome:
    contact = external_contact(external_id=f"slack:{user_id}", name=name or user_id,
                               email=email, organisation=channel.organisation,
                               placeholder_domain="slack.invalid")
    viewer = Viewer(user=contact.user, agent=None, contact=contact)
    thread = None
    if thread_ts and thread_ts != ts:
        thread = SlackThread.objects.select_related("ticket").filter(
            channel=channel, thread_ts=thread_ts).first()
    if thread is not None and thread.ticket.status != "closed":
        add_line(ticket=thread.ticket, viewer=viewer, text=text, channel=Channel.SLACK,
                 external_id=external_id, by="customer")
        return Outcome("threaded", thread.ticket_id)
    language = detect_for_pack(text, active_pack())
    first = text.splitlines()[0]
    ticket = tickets.create(
        viewer=viewer, subject=f"Slack: {first[:80]}", body=text, requester=contact,
        channel=Channel.SLACK, language="" if language == UNDETERMINED else language)
    Message.objects.filter(ticket=ticket).update(external_id=external_id)
    SlackThread.objects.create(channel=channel, thread_ts=thread_ts or ts, ticket=ticket)
    events.record(ticket, "slack_thread_opened", None, ticket.created_at,
                  channel=channel.channel_id, thread_ts=thread_ts or ts)
    route_by_language(ticket=ticket)
    return Outcome("created", ticket.pk)


@transaction.atomic(durable=True)
def slack_reply(*, ticket: Ticket, viewer: Viewer, text: str) -> Message:
    """An agent's reply on a Slack ticket: a line on the ticket and, after commit, a post
    in the customer's thread (the outbox retries it until Slack takes it)."""
    from tierdesk.common.errors import Forbidden

    if not viewer.is_agent:
        raise Forbidden("only agents reply in Slack")
    thread = SlackThread.objects.select_related("channel").filter(ticket=ticket).first()
    if thread is None:
        raise ServiceError("this ticket did not come from Slack", field="ticket_id")
    message = add_line(ticket=ticket, viewer=viewer, text=text, channel=Channel.SLACK,
                       external_id=None, by="agent")
    outbox.enqueue(kind=REPLY_KIND, ticket_id=ticket.pk, payload={
        "channel": thread.channel.channel_id, "thread_ts": thread.thread_ts, "text": text,
        "message_id": message.pk})
    return message


def deliver_reply(message) -> None:
    """Post an agent's reply in the Slack thread; any failure is retried by the outbox."""
    from slack_sdk import WebClient

    from tierdesk.outbox.services import DeliveryError

    if not settings.SLACK_BOT_TOKEN:
        raise DeliveryError("Slack is not configured (TIERDESK_SLACK_BOT_TOKEN)")
    client = WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL,
                       timeout=TIMEOUT_SECONDS, retry_handlers=[])
    payload = message.payload
    response = client.chat_postMessage(channel=payload["channel"], text=payload["text"],
                                       thread_ts=payload["thread_ts"])
    if not response.get("ok"):
        raise DeliveryError(f"Slack answered {response.get('error', 'not ok')}")
    log.info("slack reply %s posted in %s thread %s", message.pk, payload["channel"],
             payload["thread_ts"], extra={"ticket_id": message.ticket_id})
