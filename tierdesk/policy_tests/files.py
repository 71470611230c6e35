"""Where a pack's scenario file is: next to the pack, else the seed pack's of that name."""

from pathlib import Path

from tierdesk.policy import PACKS_DIR, PackInvalid, load_pack
from tierdesk.policy_tests.scenarios import scenario_file_for


def scenarios_for_pack(pack_path: Path) -> Path | None:
    """``dataflow.yaml`` -> ``dataflow.scenarios.yaml`` beside it; an edited copy of a seed
    pack (``/tmp/dataflow-v2.yaml``, ``name: dataflow``) is held to the seed's scenarios."""
    beside = scenario_file_for(pack_path)
    if beside.is_file():
        return beside
    try:
        name = load_pack(pack_path).name
    except PackInvalid:
        return None
    seed = PACKS_DIR / f"{name}.scenarios.yaml"
    return seed if seed.is_file() else None
