"""One read of the active pack version per web request (see ``selectors.active_version``)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tierdesk.packs.selectors import memo_per_request


class ActiveVersionPerRequest:
    """The ticket page's forms and refund card and the SLA board each ask for the active
    pack; a GET runs outside any transaction, so each asked the database again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with memo_per_request():
            return self.get_response(request)
