"""Social messages (a mention, a direct message) arriving through one signed webhook from
whatever collects them: each becomes a ticket, or a line on the ticket its author already
has open from the same network; the network's message id makes retries harmless."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from tierdesk.common.errors import ServiceError
from tierdesk.intake.lines import add_line, external_contact
from tierdesk.languages.detection import UNDETERMINED, detect_for_pack
from tierdesk.languages.services import route_by_language
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.tickets import events
from tierdesk.tickets import services as tickets
from tierdesk.tickets.models import Channel, Message, Ticket
from tierdesk.tickets.statuses import UNRESOLVED

NETWORKS = ("x", "facebook", "instagram", "linkedin", "mastodon", "bluesky", "other")


@dataclass(frozen=True)
class SocialPost:
    network: str
    author: str
    text: str
    link: str
    message_id: str


def social_receive(post: SocialPost) -> tuple[str, int]:
    """Return ("created" | "threaded" | "duplicate", ticket id) for one social message."""
    if post.network not in NETWORKS:
        raise ServiceError(f"unknown network {post.network!r}; use one of "
                           f"{', '.join(NETWORKS)}", field="network")
    if not post.text.strip():
        raise ServiceError("text must not be empty", field="text")
    external_id = f"social:{post.network}:{post.message_id}"
    seen = Message.objects.filter(external_id=external_id).values_list(
        "ticket_id", flat=True).first()
    if seen is not None:
        return "duplicate", seen
    try:
        return _receive(post, external_id)
    except IntegrityError:
        seen = Message.objects.filter(external_id=external_id).values_list(
            "ticket_id", flat=True).first()
        if seen is None:
            raise
        return "duplicate", seen


@transaction.atomic(durable=True)
def _receive(post: SocialPost, external_id: str) -> tuple[str, int]:
    handle = post.author.strip()
    contact = external_contact(external_id=f"{post.network}:{handle.lower()}", name=handle,
                               placeholder_domain=f"{post.network}.social.invalid")
    viewer = Viewer(user=contact.user, agent=None, contact=contact)
    body = f"{post.text.strip()}\n\n{post.link}" if post.link else post.text.strip()
    open_ticket = (Ticket.objects.filter(requester=contact, channel=Channel.SOCIAL,
                                         status__in=UNRESOLVED).order_by("-id").first())
    if open_ticket is not None:
        add_line(ticket=open_ticket, viewer=viewer, text=body, channel=Channel.SOCIAL,
                 external_id=external_id, by="customer")
        return "threaded", open_ticket.pk
    language = detect_for_pack(post.text, active_pack())
    first = post.text.strip().splitlines()[0]
    ticket = tickets.create(
        viewer=viewer, subject=f"{post.network} {handle}: {first[:80]}", body=body,
        requester=contact, channel=Channel.SOCIAL,
        language="" if language == UNDETERMINED else language)
    Message.objects.filter(ticket=ticket).update(external_id=external_id)
    events.record(ticket, "social_received", None, ticket.created_at, network=post.network,
                  author=handle, link=post.link, message_id=post.message_id)
    route_by_language(ticket=ticket)
    return "created", ticket.pk
