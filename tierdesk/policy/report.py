"""Text the ``tierdesk policy`` CLI prints: a pack's summary, its errors, a diff.

Each command returns ``(exit_code, text)`` so the CLI only prints and exits, and tests
read the exact output.
"""

from __future__ import annotations

from pathlib import Path

from .diff import diff_packs
from .durations import format_duration
from .errors import PackInvalid
from .loader import check_pack, load_pack
from .schema import Pack

EXIT_OK = 0
EXIT_INVALID = 1


def pack_summary(pack: Pack) -> list[str]:
    """Return short lines describing what a pack declares, for a reviewer's first look."""
    version = f" v{pack.version}" if pack.version else ""
    lines = [f"{pack.name}{version}: {pack.title}"]
    lines.append(f"time zone {pack.timezone}; languages {', '.join(pack.languages)}")
    lines.append("priorities: " + ", ".join(f"{p.code} ({p.name})" for p in pack.priorities))
    if pack.plans:
        lines.append("plans: " + ", ".join(pack.plans))
    if pack.tiers:
        lines.append("tiers: " + " -> ".join(t.code for t in pack.tiers))
    if pack.channels:
        lines.append("channels: " + ", ".join(pack.channels))
    lines.append(f"calendars: {', '.join(pack.calendars) or 'none'}")
    lines.append(f"{len(pack.sla_policies)} sla policies: " + ", ".join(
        p.name for p in pack.sla_policies
    ))  # fmt: skip
    if pack.classification:
        within = pack.classification.within
        lines.append(
            f"classification: {len(pack.classification.rules)} keyword rules, "
            f"{len(pack.error_codes)} error codes, default {pack.classification.default_priority}"
            + (f", within {format_duration(within)}" if within else "")
        )
    lines.append(f"{len(pack.rules)} rules, {len(pack.templates)} templates")
    return lines


def check_command(path: str | Path) -> tuple[int, str]:
    """Return exit code and text for ``policy check``: each error as ``path: message``."""
    errors = check_pack(Path(path))
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        lines = [str(e) for e in errors] + [f"{path}: {len(errors)} {noun}"]
        return EXIT_INVALID, "\n".join(lines)
    pack = load_pack(Path(path))
    return EXIT_OK, "\n".join([f"{path}: ok", *pack_summary(pack)])


def diff_command(old_path: str | Path, new_path: str | Path) -> tuple[int, str]:
    """Return exit code and text for ``policy diff``; an invalid pack is reported instead."""
    packs = []
    for path in (old_path, new_path):
        try:
            packs.append(load_pack(Path(path)))
        except PackInvalid as exc:
            return EXIT_INVALID, "\n".join([*(str(e) for e in exc.errors), f"{path}: invalid"])
    lines = diff_packs(packs[0], packs[1])
    return EXIT_OK, "\n".join(lines) if lines else "no changes"
