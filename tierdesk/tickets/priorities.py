"""Which priority codes are valid: those of the active policy pack, most urgent first."""

from tierdesk.common.errors import ServiceError

# Used until a policy pack is applied: the shape every shipped pack follows.
DEFAULT_PRIORITIES = ("P0", "P1", "P2", "P3", "P4")


def known() -> tuple[str, ...]:
    from tierdesk.packs.selectors import active_pack

    pack = active_pack()
    if pack is None:
        return DEFAULT_PRIORITIES
    return tuple(p.code for p in pack.priorities)


def check(code: str) -> None:
    codes = known()
    if code not in codes:
        raise ServiceError(f"unknown priority {code!r} (known: {', '.join(codes)})",
                           field="priority")
