"""The shape of one imported ticket (one JSON line), validated before anything is written.

Every instant must carry its UTC offset: history is replayed on business calendars, and a
time without a zone would be read in the wrong one.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("instant", "not an ISO-8601 instant") from None
    else:
        raise PydanticCustomError("instant", "not an ISO-8601 instant")
    if parsed.tzinfo is None:
        raise PydanticCustomError(
            "instant", "an ISO-8601 instant needs a UTC offset (e.g. 2026-11-20T16:00:00Z)")
    return parsed


Instant = Annotated[datetime, BeforeValidator(_instant)]
Text = Annotated[str, Field(min_length=1, max_length=100_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequesterIn(_Strict):
    """Who wrote in: an existing contact (by external id, else email) or a new one."""

    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    external_id: str | None = Field(default=None, min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    language: str = Field(default="", max_length=8)

    @model_validator(mode="after")
    def _named(self) -> "RequesterIn":
        if not self.email and not self.external_id:
            raise PydanticCustomError("requester", "give the requester's email or external_id")
        return self


class MessageIn(_Strict):
    """A later message: a public reply (the customer saw it) or an internal note."""

    created_at: Instant
    body: Text
    author: Literal["agent", "customer"]
    public: bool = True
    agent: str | None = Field(default=None, min_length=1, max_length=254,
                              description="the agent's email or username (author agent)")
    channel: str | None = Field(default=None, max_length=16)


class StatusChangeIn(_Strict):
    at: Instant
    status: Literal["open", "pending", "on_hold", "solved", "closed"]


class EscalationIn(_Strict):
    at: Instant
    to: str = Field(min_length=1, max_length=64, description="a tier or unit of the pack")
    note: str = Field(default="", max_length=5000)


class TicketLine(_Strict):
    """One past ticket with everything that happened to it, each at its own time."""

    external_id: str = Field(min_length=1, max_length=255)
    subject: str = Field(min_length=1, max_length=300)
    body: Text
    created_at: Instant
    requester: RequesterIn
    organisation: str | None = Field(default=None, min_length=1, max_length=200,
                                     description="the organisation's external id or name")
    channel: str = Field(default="email", max_length=16)
    priority: str = Field(default="", max_length=16)
    error_code: str = Field(default="", max_length=32)
    category: str = Field(default="", max_length=64)
    language: str = Field(default="", max_length=8)
    tags: list[str] = Field(default_factory=list, max_length=50)
    messages: list[MessageIn] = Field(default_factory=list, max_length=5000)
    status_changes: list[StatusChangeIn] = Field(default_factory=list, max_length=1000)
    escalations: list[EscalationIn] = Field(default_factory=list, max_length=100)


def error_path(loc: tuple[Any, ...]) -> str:
    """Return ``messages[1].created_at`` for pydantic's ``("messages", 1, "created_at")``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "line"


def error_message(err: dict[str, Any]) -> str:
    if err.get("type") == "extra_forbidden":
        return "unknown field"
    if err.get("type") == "missing":
        return "field required"
    return str(err.get("msg", "invalid value"))
