"""Chat endpoints: the widget's (a visitor holding the chat's secret in ``X-Chat-Token``)
and the agents' (an API token or the workspace session) on the same paths.

- ``POST /chat/sessions``: start a chat (a signed-in customer, or a name and an email)
- ``GET /chat/sessions/{id}/messages?after=N&wait=S``: the long-poll (see chat.delivery)
- ``POST /chat/sessions/{id}/messages``: say something (``client_id`` makes retries safe)
- ``POST /chat/sessions/{id}/end``: the visitor or an agent ends the chat
- ``GET /chat/sessions``: the open chats an agent can see
"""

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Reply

from tierdesk.api.auth import TokenAuth
from tierdesk.chat import delivery, selectors, services
from tierdesk.chat.models import ChatSession
from tierdesk.common import prepared
from tierdesk.common.errors import Forbidden, NotFound, ServiceError
from tierdesk.customers import services as customers
from tierdesk.customers.models import Contact
from tierdesk.people.access import Viewer, viewer_for
from tierdesk.tickets import selectors as ticket_selectors

router = Router(tags=["chat"])
BUSY_RETRY_MS = 1000


class Unauthorized(ServiceError):
    status_code = 401
    code = "unauthorized"


class StartIn(Schema):
    text: str = Field(max_length=services.MAX_TEXT)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)


class SayIn(Schema):
    text: str = Field(max_length=services.MAX_TEXT)
    client_id: str | None = Field(default=None, min_length=1, max_length=64,
                                  pattern=r"^[A-Za-z0-9_.:-]+$")


class LineOut(Schema):
    id: int
    by: str
    author: str
    text: str
    at: str


class TranscriptOut(Schema):
    session_id: int
    ticket_id: int
    state: str
    last_id: int
    messages: list[LineOut]
    retry_ms: int = 0  # set when the server could not wait: poll again after this long


class StartOut(TranscriptOut):
    token: str


class SessionOut(Schema):
    session_id: int
    ticket_id: int
    subject: str
    requester: str
    organisation: str | None
    language: str
    verified: bool
    started_at: str
    last_message_id: int


def _csrf_ok(request: HttpRequest) -> bool:
    """A cookie-authenticated write must carry the CSRF token (ninja views are exempt)."""
    check = CsrfViewMiddleware(lambda r: None)
    return check.process_view(request, None, (), {}) is None


def _signed_in(request: HttpRequest, *, write: bool) -> Viewer | None:
    """The agent or customer behind a bearer token or the session cookie, if any."""
    if request.headers.get("Authorization"):
        user = TokenAuth()(request)
        if user is None:
            raise Unauthorized("invalid API token", field="Authorization")
        return viewer_for(user)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if write and not _csrf_ok(request):
        raise Forbidden("CSRF token missing or incorrect", field="X-CSRFToken")
    return viewer_for(user)


def _access(request: HttpRequest, session_id: int, *, write: bool
            ) -> tuple[ChatSession, Viewer | None]:
    """Return the session and, for an agent, who they are; the visitor is ``None``.

    The chat's secret opens only its own chat; an agent must be able to see the ticket
    (its queues); anybody else gets 401 or the same 404 as an unknown id.
    """
    secret = request.headers.get("X-Chat-Token")
    if secret:
        return services.session_for_token(session_id=session_id, secret=secret), None
    viewer = _signed_in(request, write=write)
    if viewer is None:
        raise Unauthorized("send the chat's X-Chat-Token, or sign in as an agent",
                           field="X-Chat-Token")
    if not viewer.is_agent:
        raise NotFound("no such chat", field="session_id")
    session = prepared.get_first(ChatSession, ("ticket", "contact"), pk=session_id)
    if session is None:
        raise NotFound("no such chat", field="session_id")
    # The agent's scope, as ``ticket_get`` checks it, without reading the ticket and its
    # five related rows that a chat line does not use (it locks and reads the ticket).
    if not ticket_selectors.ticket_visible(viewer=viewer, ticket_id=session.ticket_id):
        raise NotFound(f"ticket {session.ticket_id} not found", field="ticket_id")
    return session, viewer


def _transcript(session: ChatSession, after: int) -> dict:
    session.refresh_from_db(fields=["state", "last_message_id"])
    lines = selectors.transcript(session=session, after=after)
    return {"session_id": session.pk, "ticket_id": session.ticket_id, "state": session.state,
            "last_id": lines[-1]["id"] if lines else max(after, 0), "messages": lines}


@router.post("/sessions", auth=None, response={201: StartOut, 401: dict, 403: dict})
def start_chat(request: HttpRequest, payload: StartIn):
    """Start a chat: as the signed-in customer, else as ``name`` <``email``>."""
    viewer = _signed_in(request, write=True)
    if viewer is not None and viewer.is_agent:
        raise Forbidden("agents answer chats; customers start them", field="session")
    if viewer is not None and viewer.is_customer:
        contact, verified, user = viewer.contact, True, viewer.user
    else:
        contact, verified, user = _visitor_contact(payload), False, None
    session, secret = services.chat_start(contact=contact, text=payload.text,
                                          verified=verified, user=user)
    return Reply(201, {**_transcript(session, 0), "token": secret})


def _visitor_contact(payload: StartIn) -> Contact:
    email = payload.email.strip().lower()
    name = payload.name.strip()
    if not email:
        raise ServiceError(_("Please give your email address."), field="email")
    if not name:
        raise ServiceError(_("Please give your name."), field="name")
    contact = Contact.objects.select_related("organisation").filter(email=email).first()
    if contact is not None:
        return contact
    try:
        return customers.contact_create(viewer=None, name=name, email=email,
                                        organisation=None)
    except Exception as exc:
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise ServiceError(_("Please give a valid email address."),
                               field="email") from exc
        raise


@router.get("/sessions/{session_id}/messages", auth=None,
            response={200: TranscriptOut, 401: dict, 403: dict})
def read_messages(request: HttpRequest, session_id: int, after: int = 0, wait: float = 0):
    """Lines after message ``after``; with ``wait`` (seconds, at most 20) the answer waits
    for the next line (a long-poll) and comes as soon as one is posted anywhere."""
    if wait < 0 or wait > delivery.MAX_WAIT:
        raise ServiceError(f"wait must be between 0 and {delivery.MAX_WAIT:g} seconds",
                           field="wait")
    session, _ = _access(request, session_id, write=False)
    answer = _transcript(session, after)
    if answer["messages"] or answer["state"] != "open" or not wait:
        return answer
    try:
        delivery.wait_for(session.pk, after, wait)
    except delivery.Busy:
        # No thread to lend: answer now; the widget asks again after ``retry_ms``.
        return {**answer, "retry_ms": BUSY_RETRY_MS}
    return _transcript(session, after)


@router.post("/sessions/{session_id}/messages", auth=None,
             response={201: LineOut, 401: dict, 403: dict})
def say(request: HttpRequest, session_id: int, payload: SayIn):
    session, agent = _access(request, session_id, write=True)
    if agent is None:
        message = services.chat_post_visitor(session=session, text=payload.text,
                                             client_id=payload.client_id)
    else:
        message = services.chat_post_agent(session=session, viewer=agent, text=payload.text,
                                           client_id=payload.client_id)
    # Who wrote it is known here (a retried client_id returns the first line, by the same
    # speaker): no query for the author's agent row or the chat's contact.
    agents = {agent.user.pk} if agent is not None else set()
    return Reply(201, selectors.line(message, agents, session.contact.name))


@router.post("/sessions/{session_id}/end", auth=None,
             response={200: TranscriptOut, 401: dict, 403: dict})
def end_chat(request: HttpRequest, session_id: int):
    session, agent = _access(request, session_id, write=True)
    services.chat_end(session=session, actor=agent.user if agent else None,
                      by="agent" if agent else "customer")
    return _transcript(session, 0)


@router.get("/sessions", response=list[SessionOut])
def open_chats(request: HttpRequest):
    """The open chats in the caller's queues, oldest first (agents only)."""
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("only agents see the chat queue")
    return selectors.open_sessions(viewer=viewer)
