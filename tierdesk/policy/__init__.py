"""Policy packs: a team's support handbook as a validated YAML file the platform enforces.

Pure Python (no Django), so services, sweeps and the CLI share one reading of a pack.
"""

from .diff import diff_packs
from .errors import PackError, PackInvalid
from .loader import PACKS_DIR, builtin_pack_names, check_pack, load_builtin_pack, load_pack
from .matching import Classification, SlaMatch, classify, match_sla_policy, rule_applies, rules_for
from .report import check_command, diff_command, pack_summary
from .schema import Pack
from .schema_calendar import CalendarSpec, ResolvedCalendar

__all__ = [
    "PACKS_DIR",
    "CalendarSpec",
    "Classification",
    "Pack",
    "PackError",
    "PackInvalid",
    "ResolvedCalendar",
    "SlaMatch",
    "builtin_pack_names",
    "check_command",
    "check_pack",
    "classify",
    "diff_command",
    "diff_packs",
    "load_builtin_pack",
    "load_pack",
    "match_sla_policy",
    "pack_summary",
    "rule_applies",
    "rules_for",
]
