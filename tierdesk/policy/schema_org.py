"""The support organisation in a pack: the chart, reporting lines and who covers whom.

A ``position`` is a box on the handbook's chart (Customer Support Director, QA Lead...)
held by zero or more agents. ``reports_to`` is a solid line, ``dotted_to`` a dashed one
(CSU: "CSD -.-> CSWG"); ``covered_by`` names the position whose holders stand in when
nobody holding this one is available. ``kind: team`` boxes hold the people of a team;
``kind: contact`` boxes sit outside the department (the Security Director support
escalates to) and do not count towards its size. Notifications to a ``role`` and
escalations to a ``unit`` reach the holders of the positions that carry it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .schema_calendar import Strict


class Position(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    kind: Literal["position", "team", "working_group", "contact"] = "position"
    role: str | None = None  # the pack role its holders act in
    unit: str | None = None  # the unit it is the contact for (kind: contact)
    reports_to: str | None = None
    dotted_to: str | None = None
    covered_by: str | None = None
    headcount: int | None = Field(None, ge=0)  # as the handbook states it
    description: str | None = None


class Organisation(Strict):
    department: str
    aliases: list[str] = Field(default_factory=list)  # other names a query may use
    headcount: int | None = Field(None, ge=0)  # as the handbook states it
    positions: list[Position] = Field(min_length=1)
