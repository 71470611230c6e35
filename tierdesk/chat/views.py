"""Chat pages: the widget customers embed, and the agents' live chat console."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from tierdesk.chat import selectors, services
from tierdesk.chat.models import ChatSession
from tierdesk.common.errors import NotFound, ServiceError
from tierdesk.people.access import viewer_for
from tierdesk.tickets import selectors as ticket_selectors
from tierdesk.web.access import agent_page


@require_GET
@xframe_options_exempt  # framed by the sites in TIERDESK_CHAT_EMBED_ORIGINS (CSP below)
def widget(request: HttpRequest) -> HttpResponse:
    """The chat widget page; ``?lang=ar`` (embed.js passes the host page's language)."""
    lang = request.GET.get("lang", "")[:8].split("-")[0].lower()
    viewer = viewer_for(request.user) if request.user.is_authenticated else None
    if viewer is not None and viewer.is_customer and not lang:
        contact = viewer.contact
        lang = contact.language or (contact.organisation.language
                                    if contact.organisation else "")
    if lang in dict(settings.LANGUAGES):
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
    signed_in = viewer is not None and viewer.is_customer
    response = render(request, "chat/widget.html", {
        "api_base": "/api/v1/chat", "signed_in": signed_in,
        "contact_name": viewer.contact.name if signed_in else "",
    })
    response._csp_replace = {"frame-ancestors": ["'self'", *settings.CHAT_EMBED_ORIGINS]}
    return response


def _session(request: HttpRequest, session_id: int) -> ChatSession:
    session = ChatSession.objects.select_related("ticket", "contact__organisation").filter(
        pk=session_id).first()
    if session is None:
        raise NotFound("no such chat")
    ticket_selectors.ticket_get(viewer=request.viewer, ticket_id=session.ticket_id)
    return session


@require_GET
@agent_page
def chats(request: HttpRequest) -> HttpResponse:
    """The open chats in the agent's queues, oldest first: the one waiting longest on top."""
    return render(request, "chat/agent_chats.html",
                  {"sessions": selectors.open_sessions(viewer=request.viewer)})


@require_GET
@agent_page
def console(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    lines = selectors.transcript(session=session)
    return render(request, "chat/agent_console.html", {
        "session": session, "ticket": session.ticket, "lines": lines,
        "after": lines[-1]["id"] if lines else 0})


@require_POST
@agent_page
def say(request: HttpRequest, session_id: int) -> HttpResponse:
    """The console's form without JavaScript (the script posts to the API instead)."""
    session = _session(request, session_id)
    try:
        services.chat_post_agent(session=session, viewer=request.viewer,
                                 text=request.POST.get("text", ""),
                                 client_id=request.POST.get("client_id") or None)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Message sent."))
    return redirect("chat:console", session_id=session.pk)
