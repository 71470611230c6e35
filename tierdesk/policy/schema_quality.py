"""QA scorecards in a pack: what reviewers score, how criteria weigh, what is sampled.

A scorecard is a list of weighted criteria, each scored from 1 to the card's ``scale``;
the ticket's score is the weighted mean as a percentage. Each week ``sample.per_agent``
of every agent's solved tickets are drawn at random (a fixed seed per agent and week, so
the draw can be repeated) and queued for ``sample.reviewer_role``; ``calibration`` of
them are marked for two reviewers so the report can show how far reviewers differ.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from .schema_calendar import Strict
from .schema_rules import Duration


class QaCriterion(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str
    weight: float = Field(gt=0)
    description: str | None = None


class Scorecard(Strict):
    """Weighted criteria; each is scored 1..``scale``; ``pass_mark`` is a percentage."""

    label: str | None = None
    scale: int = Field(5, ge=2, le=10)
    pass_mark: float | None = Field(None, ge=0, le=100)
    criteria: list[QaCriterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_criteria(self) -> Scorecard:
        codes = [c.code for c in self.criteria]
        for code in codes:
            if codes.count(code) > 1:
                raise ValueError(f"criterion {code!r} is listed twice")
        return self


class QaSample(Strict):
    """The weekly draw of solved tickets, per agent, queued for review."""

    per_agent: int = Field(3, ge=1, le=100)
    every: Duration = Field(default_factory=lambda: timedelta(days=7))
    reviewer_role: str = "qa_lead"
    calibration: int = Field(0, ge=0)  # how many of the week's draw two reviewers score
    statuses: list[str] = Field(default_factory=lambda: ["solved", "closed"])


class Quality(Strict):
    scorecards: dict[str, Scorecard] = Field(min_length=1)
    default_scorecard: str | None = None  # left out: the first one
    sample: QaSample = Field(default_factory=QaSample)
    # Two reviewers agree when their totals differ by at most this many points.
    calibration_tolerance: float = Field(10, ge=0, le=100)

    @property
    def default(self) -> str:
        """Return the scorecard a review uses unless told otherwise."""
        return self.default_scorecard or next(iter(self.scorecards))
