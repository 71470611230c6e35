"""Who may open which page: the same rules as the API, resolved once per request.

Anonymous visitors are sent to sign in; a signed-in person on the wrong side (a customer
on ``/agent/``, an agent on ``/portal/``) gets 403; a ticket or queue outside the
viewer's scope is a 404, exactly as the API answers, so ids leak nothing.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from tierdesk.common.errors import Forbidden, NotFound
from tierdesk.people.access import Viewer, viewer_for

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=403)


def _page(check: Callable[[Viewer], bool], refusal: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            viewer = viewer_for(request.user)
            if not check(viewer):
                return forbidden(request, refusal)
            request.viewer = viewer
            _use_language(request, viewer)
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except Forbidden as exc:
                return forbidden(request, exc.message)

        return wrapper

    return decorate


def _use_language(request: HttpRequest, viewer: Viewer) -> None:
    """A customer reads the portal in their own language (contact, else organisation)."""
    if not viewer.is_customer:
        return
    contact = viewer.contact
    wanted = contact.language or (contact.organisation.language if contact.organisation else "")
    if wanted in dict(settings.LANGUAGES):
        translation.activate(wanted)
        request.LANGUAGE_CODE = wanted


agent_page = _page(lambda v: v.is_agent, "This page is for support agents.")
manager_page = _page(lambda v: v.is_manager, "This page is for support managers.")
customer_page = _page(lambda v: v.is_customer, "This page is for customers.")
