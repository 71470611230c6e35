"""JSON bodies written by pydantic-core (Rust) instead of the ``json`` module.

A list page of 50 tickets spent a fifth of its CPU in ``json.dumps`` and Django's encoder
hook for datetimes. Datetimes come out as ISO 8601 in UTC with a ``Z`` and full
microseconds.
"""

from typing import Any

import pydantic_core
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from ninja.renderers import BaseRenderer
from pydantic import BaseModel


def _fallback(value: Any) -> Any:
    if isinstance(value, Promise):  # a lazy translation, as in Django's own messages
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> bytes:
    return pydantic_core.to_json(data, fallback=_fallback)


class JSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return dumps(data)


def model_response(model: BaseModel, status: int = 200) -> HttpResponse:
    """``model`` as the JSON response, validated and written by pydantic-core alone.

    For the hot list endpoints: ninja would validate the already-validated model again,
    field by field through its ORM getter, before rendering it.
    """
    return HttpResponse(model.model_dump_json(), status=status,
                        content_type=JSONRenderer.media_type)
