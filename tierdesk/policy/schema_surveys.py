"""Net Promoter surveys: "how likely are you to recommend us" (0-10), sent to each
organisation's contacts on a schedule rather than after a ticket.

CSAT (after a ticket) stays in ``schema.Survey``; NPS differs in what starts it (the
calendar, per organisation) and its scale (always 0-10, by definition of the score).
"""

from __future__ import annotations

from pydantic import Field

from .schema_calendar import Strict
from .schema_rules import Duration


class Nps(Strict):
    """``nps: {every: 90d, cool_off: 14d}``: each organisation is asked every ``every``
    (an organisation may be given its own interval); nobody twice within ``cool_off``."""

    every: Duration
    cool_off: Duration | None = None
    # Who hears about a detractor (0-6 by the NPS definition); left out = nobody.
    detractor_role: str | None = None
    scale: int = Field(10, ge=10, le=10)  # NPS is 0-10 by definition; stated for readers
