"""`tierdesk policy check`: a support lead fixes a pack from one run's output alone."""

from pathlib import Path

import pytest

from tierdesk.cli import main
from tierdesk.policy.loader import PACKS_DIR, builtin_pack_names


def dataflow_with(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = (PACKS_DIR / "dataflow.yaml").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "dataflow.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def check(path: Path, capsys) -> tuple[int, list[str]]:
    code = main(["policy", "check", str(path)])
    out = capsys.readouterr()
    return code, (out.out + out.err).splitlines()


@pytest.mark.parametrize("name", builtin_pack_names())
def test_every_shipped_handbook_pack_passes_policy_check(name, capsys):
    code, lines = check(PACKS_DIR / f"{name}.yaml", capsys)
    assert code == 0, lines
    assert lines[0].endswith(": ok")


def test_three_mistakes_in_one_section_are_all_reported_in_one_run(tmp_path, capsys):
    # A bad duration in the first SLA policy used to hide the calendar typos in the others.
    path = dataflow_with(
        tmp_path,
        ("targets: {first_response: 1h, resolution: 24h}",
         "targets: {first_response: 1hour, resolution: 24h}"),
        ("{plan: Professional}\n    calendar: customer-business-hours",
         "{plan: Professional}\n    calendar: buisness-hours"),
        ("{escalate: ENG}", "{escalate: ENGG}"),
    )
    code, lines = check(path, capsys)
    assert code == 1
    assert lines == [
        "sla_policies[0].targets.first_response: invalid duration '1hour'; "
        "use a number and a unit: 15m, 2h, 1d (= 24h), 1h30m, 90s",
        "sla_policies[2].calendar: unknown calendar 'buisness-hours' "
        "(did you mean 'customer-business-hours'?); valid: always, customer-business-hours",
        "rules[1].do[0].escalate: unknown tier or unit 'ENGG' (did you mean 'ENG'?); "
        "valid: devops, ENG, L1, product",
        f"{path}: 3 errors",
    ]


def test_unknown_calendar_suggests_the_nearest_and_lists_the_valid_ones(tmp_path, capsys):
    path = tmp_path / "pack.yaml"
    path.write_text(
        "name: mini\ntitle: Mini\npriorities: [{code: P1, name: High}]\n"
        "calendars:\n  business-hours: {week: {mon-fri: '09:00-17:00'}}\n"
        "  always: {always: true}\n"
        "sla_policies:\n  - {name: All, calendar: buisness-hours, "
        "targets: {first_response: 1h}}\n",
        encoding="utf-8",
    )
    code, lines = check(path, capsys)
    assert code == 1
    assert lines[0] == ("sla_policies[0].calendar: unknown calendar 'buisness-hours' "
                        "(did you mean 'business-hours'?); valid: always, business-hours")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("plans: [Starter, Professional]}", "plans: [Starter, Profesional]}",
     "refunds.limits[0].plans[1]: unknown plan 'Profesional' (did you mean 'Professional'?); "
     "valid: Enterprise, Professional, Starter"),
    ("default_priority: P2", "default_priority: p2",
     "classification.default_priority: unknown priority 'p2' (did you mean 'P2'?); "
     "valid: P0, P1, P2, P3"),
    ("follow_up_role: support_manager", "follow_up_role: suport_manager",
     "surveys.csat.follow_up_role: unknown role 'suport_manager' "
     "(did you mean 'support_manager'?); valid: admin, agent, cto, director, engineer, "
     "finance_director, support_manager"),
    ("follow_up_template: low_satisfaction_follow_up",
     "follow_up_template: low_satisfaction_followup",
     "surveys.csat.follow_up_template: unknown template 'low_satisfaction_followup' "
     "(did you mean 'low_satisfaction_follow_up'?); valid: escalation_notification, "
     "initial_response, low_satisfaction_follow_up, refund_confirmation, sla_breach_apology"),
    ("{from: L1, to: devops}", "{from: L1, to: dev-ops}",
     "escalation.paths[0].to: unknown tier or unit 'dev-ops' (did you mean 'devops'?); "
     "valid: devops, ENG, L1, product"),
    ("    on: time\n", "    on: tme\n",
     "rules[1].on[0]: unknown value 'tme' (did you mean 'time'?); valid: closed, "
     "created, escalated, replied, sla_breach, sla_warning, survey_answered, time, updated"),
    ("calendar: customer-business-hours\n    targets:\n      first_response: {P1: 4h",
     "calendar: customer-busines-hours\n    targets:\n      first_response: {P1: 4h",
     "sla_policies[1].calendar: unknown calendar 'customer-busines-hours' "
     "(did you mean 'customer-business-hours'?); valid: always, customer-business-hours"),
    ("languages: [en, es, fr]", "languages: [en, es, fr]\nchanels: {}",
     "chanels: unknown field (did you mean 'channels'?)"),
])
def test_an_unknown_name_suggests_the_nearest_valid_one(tmp_path, capsys, old, new, expected):
    code, lines = check(dataflow_with(tmp_path, (old, new)), capsys)
    assert code == 1
    assert expected in lines


def test_a_template_placeholder_nothing_fills_is_refused_with_its_path(tmp_path, capsys):
    path = dataflow_with(tmp_path, ("credited {credit_amount}", "credited {credit_amt}"))
    code, lines = check(path, capsys)
    assert code == 1
    assert lines == [
        "templates.sla_breach_apology.body.en: unknown placeholder {credit_amt} "
        "(did you mean {credit_amount}?)",
        f"{path}: 1 error",
    ]


def test_a_rule_sending_the_acknowledgement_again_is_refused(tmp_path, capsys):
    path = dataflow_with(tmp_path, (
        "  - name: P0 to DevOps\n",
        "  - name: welcome again\n    on: created\n    do: [{send_template: initial_response}]\n"
        "  - name: P0 to DevOps\n",
    ))
    code, lines = check(path, capsys)
    assert code == 1
    assert lines[0] == (
        "rules[0].do[0].send_template: 'initial_response' is the acknowledgement, already "
        "sent once to every new ticket; this rule would send a second one")
