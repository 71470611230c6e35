"""The pack's authorization ladder for refunds, credits and cancellations (DataFlow 6.1).

Pure: takes the pack and the request's facts, touches no database. The ladder's levels
are the roles in the order the pack first names them (agent, support manager, finance
director); a level may approve whatever a lower level may, so "who decides" is the
lowest level one of whose lines allows the request, and a caller may approve when their
level is at least that one.

Money is compared in integer minor units (cents), never in floats: $149.01 is 14901
and the agent's line is 14900.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# ISO 4217 minor units; the currencies a pack is likely to name. Others: 2.
MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3,
               "JOD": 3, "TND": 3}
KINDS = ("refund", "credit", "cancellation")


def exponent(currency: str) -> int:
    """Return how many decimals ``currency`` has (USD 2, JPY 0)."""
    return MINOR_UNITS.get(currency, 2)


def to_minor(amount: Decimal | float | int | str, currency: str) -> int:
    """Return ``amount`` in minor units; refuse sub-cent precision (ValueError)."""
    value = Decimal(str(amount)) * (10 ** exponent(currency))
    if value != value.to_integral_value():
        raise ValueError(f"{amount} {currency} has more than {exponent(currency)} decimals")
    return int(value)


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor) / (10 ** exponent(currency))


@dataclass(frozen=True)
class Ask:
    """What is asked: the facts the ladder's lines test."""

    kind: str
    amount_minor: int
    currency: str
    plan: str
    days_since_charge: int | None = None
    contract_dispute: bool = False


@dataclass(frozen=True)
class Line:
    """One line of the ladder that allows an ask: who, and where in the pack it says so."""

    role: str  # the platform role (a pack role's ``based_on``)
    pack_role: str
    path: str  # refunds.limits[1]
    text: str  # "support_manager: refund, credit up to 1000 USD"


def platform_role(pack: Any, role: str) -> str:
    for r in pack.roles:
        if getattr(r, "code", r) == role:
            return getattr(r, "based_on", None) or role
    return role


def levels(pack: Any) -> list[str]:
    """Return the ladder's platform roles, lowest first."""
    out: list[str] = []
    refunds = pack.refunds
    for item in [*refunds.limits, *refunds.cancellations]:
        role = platform_role(pack, item.role)
        if role not in out:
            out.append(role)
    return out


def _limit_allows(limit: Any, ask: Ask, currency: str) -> bool:
    if ask.kind not in limit.kinds:
        return False
    if ask.contract_dispute and not limit.contract_disputes:
        return False
    if limit.max_amount is not None and ask.amount_minor > to_minor(limit.max_amount, currency):
        return False
    if limit.max_days is not None and (ask.days_since_charge is None
                                       or ask.days_since_charge > limit.max_days):
        return False
    return not (limit.plans is not None and ask.plan not in limit.plans)


def _describe_limit(limit: Any, currency: str) -> str:
    parts = [", ".join(limit.kinds)]
    if limit.max_amount is not None:
        parts.append(f"up to {limit.max_amount:g} {currency}")
    if limit.max_days is not None:
        parts.append(f"within {limit.max_days} days of the charge")
    if limit.plans is not None:
        parts.append(f"for {'/'.join(limit.plans)}")
    if limit.contract_disputes:
        parts.append("and contract disputes")
    return f"{limit.role}: {' '.join(parts)}"


def lines_allowing(pack: Any, ask: Ask) -> list[Line]:
    """Return every ladder line that allows ``ask``, in pack order."""
    refunds = pack.refunds
    out = []
    if ask.kind == "cancellation":
        for i, rule in enumerate(refunds.cancellations):
            if rule.plans is None or ask.plan in rule.plans:
                notice = f" with {rule.notice} notice" if rule.notice else ""
                plans = "/".join(rule.plans) if rule.plans else "any plan"
                out.append(Line(platform_role(pack, rule.role), rule.role,
                                f"refunds.cancellations[{i}]",
                                f"{rule.role}: cancellations for {plans}{notice}"))
        return out
    for i, limit in enumerate(refunds.limits):
        if _limit_allows(limit, ask, refunds.currency):
            out.append(Line(platform_role(pack, limit.role), limit.role, f"refunds.limits[{i}]",
                            _describe_limit(limit, refunds.currency)))
    return out


def deciding_line(pack: Any, ask: Ask) -> Line | None:
    """Return the lowest level's line allowing ``ask`` (who decides it), or None when no
    line of the pack allows it."""
    order = levels(pack)
    found = lines_allowing(pack, ask)
    if not found:
        return None
    return min(found, key=lambda line: order.index(line.role))


def authority(pack: Any, role: str, ask: Ask) -> Line | None:
    """Return the line under which ``role`` may approve ``ask``: its own line if one
    allows it, else the deciding line when ``role`` stands higher on the ladder; None
    when the ask is above ``role``'s limit (or ``role`` is not on the ladder)."""
    order = levels(pack)
    deciding = deciding_line(pack, ask)
    if deciding is None or role not in order:
        return None
    if order.index(role) < order.index(deciding.role):
        return None
    own = [line for line in lines_allowing(pack, ask) if line.role == role]
    return own[0] if own else deciding


def notice_of(pack: Any, line: Line) -> Any:
    """Return the cancellation notice (a timedelta) the deciding line requires, if any;
    a higher level approving a lower level's cancellation keeps that level's notice."""
    for i, rule in enumerate(pack.refunds.cancellations):
        if f"refunds.cancellations[{i}]" == line.path:
            return rule.notice
    return None
