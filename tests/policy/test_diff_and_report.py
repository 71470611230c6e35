"""What ``tierdesk policy check`` and ``policy diff`` print, and their exit codes."""

from pathlib import Path

from tierdesk.policy import check_command, diff_command, diff_packs, load_builtin_pack
from tierdesk.policy.loader import PACKS_DIR

FIXTURES = Path(__file__).parent / "fixtures"


def changed_dataflow(tmp_path: Path, old: str, new: str) -> Path:
    text = (PACKS_DIR / "dataflow.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "dataflow.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_diff_reports_a_changed_sla_target_with_old_and_new_values(tmp_path):
    new = changed_dataflow(tmp_path, "first_response: {P1: 4h,", "first_response: {P1: 2h,")
    code, text = diff_command(PACKS_DIR / "dataflow.yaml", new)
    assert code == 0
    assert text == "~ sla policy 'Enterprise': first_response P1 4 h -> 2 h (2 h earlier)"


def test_diff_of_identical_packs_says_no_changes():
    assert diff_command(PACKS_DIR / "csu.yaml", PACKS_DIR / "csu.yaml") == (0, "no changes")


def test_diff_lists_added_and_removed_sections():
    old, new = load_builtin_pack("dataflow"), load_builtin_pack("dataflow")
    new = new.model_copy(
        update={"sla_policies": new.sla_policies[:-1], "plans": [*new.plans, "Trial"]}
    )
    assert diff_packs(old, new) == [
        "+ plan 'Trial' added",
        "- sla policy 'Starter' removed",
    ]


def test_check_command_prints_every_error_and_exits_1():
    code, text = check_command(FIXTURES / "several_errors.yaml")
    assert code == 1
    assert text.splitlines() == [
        "timezone: unknown time zone 'Atlantis/Capital'; use an IANA name such as Europe/London",
        "sla_policies[0].when.priority: unknown priority 'P7'; valid: P1",
        "rules[0].do[0].send_template: unknown template 'welcome'; the pack declares no templates",
        f"{FIXTURES / 'several_errors.yaml'}: 3 errors",
    ]


def test_check_command_summarises_a_valid_pack_and_exits_0():
    path = PACKS_DIR / "nexacore.yaml"
    code, text = check_command(path)
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == f"{path}: ok"
    assert "tiers: L0 -> L1 -> L2 -> L3" in lines
    assert "time zone Asia/Dubai; languages en, ar" in lines


def test_check_command_reports_a_missing_file(tmp_path):
    code, text = check_command(tmp_path / "nope.yaml")
    assert code == 1
    assert text.startswith(f"{tmp_path / 'nope.yaml'}: cannot read: No such file")


def test_diff_command_refuses_an_invalid_pack():
    code, text = diff_command(PACKS_DIR / "csu.yaml", FIXTURES / "unknown_field.yaml")
    assert code == 1
    assert text.splitlines()[-1] == f"{FIXTURES / 'unknown_field.yaml'}: invalid"
