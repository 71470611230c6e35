"""The QA, risk register and organisation sections of a pack: each mistake is reported
with its path, and every seed pack that declares them passes."""

from pathlib import Path

from tierdesk.policy import PACKS_DIR, check_pack


def _errors(tmp_path: Path, old: str, new: str) -> list[str]:
    """Check CSU's pack with ``old`` replaced by ``new`` (the text must be there once)."""
    text = (PACKS_DIR / "csu.yaml").read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "csu-edited.yaml"
    path.write_text(text.replace(old, new))
    return [str(e) for e in check_pack(path)]


def test_csu_and_fire22_declare_scorecards_and_org_charts_and_pass():
    assert [str(e) for e in check_pack(PACKS_DIR / "csu.yaml")] == []
    assert [str(e) for e in check_pack(PACKS_DIR / "fire22.yaml")] == []


def test_csu_scorecard_weighs_empathy_accuracy_tone_and_process():
    from tierdesk.policy import load_pack

    card = load_pack(PACKS_DIR / "csu.yaml").quality.scorecards["interaction"]
    assert [(c.label, c.weight) for c in card.criteria] == [
        ("Empathy", 1), ("Accuracy", 2), ("Tone of voice", 1), ("Process followed", 2)]


def test_an_unknown_reviewer_role_is_reported_with_its_path(tmp_path):
    errors = _errors(tmp_path, "reviewer_role: qa_lead,", "reviewer_role: qa_leed,")
    assert len(errors) == 1
    assert errors[0].startswith("quality.sample.reviewer_role: unknown role 'qa_leed'")
    assert "qa_lead" in errors[0]


def test_a_criterion_without_weight_is_reported(tmp_path):
    errors = _errors(tmp_path, "{code: empathy, label: Empathy, weight: 1}",
                     "{code: empathy, label: Empathy}")
    assert errors == ["quality.scorecards.interaction.criteria[0].weight: missing required field"]


def test_a_risk_route_to_an_unknown_category_or_unit_is_reported(tmp_path):
    errors = _errors(tmp_path, "{categories: [security], tags: [security-incident], owner: "
                     "{unit: security}, escalate: security,",
                     "{categories: [securty], tags: [security-incident], owner: "
                     "{unit: security}, escalate: secops,")
    assert errors[0].startswith("risks.routes[0].categories[0]: unknown risk category "
                                "'securty'")
    assert errors[1].startswith("risks.routes[0].escalate: unknown tier or unit 'secops'")


def test_a_position_reporting_to_an_unknown_box_or_in_a_loop_is_reported(tmp_path):
    errors = _errors(tmp_path, "role: support_manager, reports_to: director,",
                     "role: support_manager, reports_to: directr,")
    assert errors[0].startswith("organisation.positions[1].reports_to: unknown position "
                                "'directr' (did you mean 'director'?)")
    errors = _errors(tmp_path, "{code: director, name: Customer Support Director, role: director,",
                     "{code: director, name: Customer Support Director, role: director, "
                     "reports_to: manager,")  # director -> manager -> director
    assert "organisation.positions[0].reports_to: reporting lines loop back to 'director'" \
        in errors
