"""The risk register in a pack: categories, the likelihood and impact scales, who owns a
flagged risk, when it is reviewed, and where some categories must go (CSU: "Security |
Security incidents, data concerns | Support Manager -> Security Director")."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from .schema_calendar import Strict
from .schema_rules import Duration, Recipient, StrList

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class RiskRoute(Strict):
    """Risks of ``categories`` (and tickets tagged ``tags``) are owned by ``owner`` and the
    ticket escalates to ``escalate`` (a tier or unit)."""

    categories: StrList = Field(default_factory=list)
    tags: StrList = Field(default_factory=list)
    owner: Recipient
    escalate: str | None = None
    label: str | None = None


class RiskRegister(Strict):
    categories: list[str] = Field(min_length=1)
    likelihood: list[str] = Field(min_length=2)  # lowest first
    impact: list[str] = Field(min_length=2)  # lowest first
    owner: Recipient  # who owns a flagged risk unless a route says otherwise
    review_within: Duration = Field(default_factory=lambda: timedelta(days=7))
    review_day: str = "mon"  # the weekly review lists what is new since the last one
    routes: list[RiskRoute] = Field(default_factory=list)

    @model_validator(mode="after")
    def _day(self) -> RiskRegister:
        if self.review_day not in WEEKDAYS:
            raise ValueError(f"review_day {self.review_day!r}: use one of {', '.join(WEEKDAYS)}")
        return self

    def level(self, scale: str, value: str) -> int:
        """Return 1.. for ``value`` on the likelihood or impact scale (lowest = 1)."""
        return getattr(self, scale).index(value) + 1
