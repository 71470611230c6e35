"""`tierdesk policy apply` runs the pack's handbook tests first and refuses a pack whose
tests fail, unless `--skip-tests`, which the version's audit note records."""

import pytest

from tierdesk.cli import main
from tierdesk.packs.models import PolicyPackVersion
from tierdesk.policy import PACKS_DIR

pytestmark = pytest.mark.django_db


def _dataflow_8h(tmp_path):
    """The DataFlow pack with Enterprise P1 at 8 h, its handbook tests kept beside it."""
    source = (PACKS_DIR / "dataflow.yaml").read_text()
    path = tmp_path / "dataflow-8h.yaml"
    path.write_text(source.replace("first_response: {P1: 4h, P2: 12h, P3: 24h}",
                                   "first_response: {P1: 8h, P2: 12h, P3: 24h}"))
    (tmp_path / "dataflow-8h.scenarios.yaml").write_text(
        (PACKS_DIR / "dataflow.scenarios.yaml").read_text())
    return path


def test_a_pack_breaking_a_handbook_promise_is_refused_and_nothing_changes(tmp_path, capsys):
    code = main(["policy", "apply", str(_dataflow_8h(tmp_path))])
    assert code == 1
    err = capsys.readouterr().err
    assert "enterprise-p1-weekend: first_response due expected Mon 2026-11-30 13:00 GMT" in err
    assert "not applied: its handbook tests fail" in err
    assert not PolicyPackVersion.objects.exists()


def test_skip_tests_applies_it_and_says_so_in_the_audit(tmp_path, capsys):
    code = main(["policy", "apply", str(_dataflow_8h(tmp_path)), "--skip-tests",
                 "--note", "trial"])
    assert code == 0
    version = PolicyPackVersion.objects.get(is_active=True)
    assert version.note == "trial [handbook tests skipped: --skip-tests]"


def test_a_pack_keeping_its_promises_is_applied(capsys):
    code = main(["policy", "apply", str(PACKS_DIR / "dataflow.yaml"), "--note", "rollout"])
    out = capsys.readouterr().out
    assert code == 0
    assert "dataflow v1 (dataflow.scenarios.yaml): 34 of 34 case(s) pass, 0 fail" in out
    assert "applied dataflow v1" in out
    assert PolicyPackVersion.objects.get(is_active=True).note == "rollout"


def test_a_pack_without_tests_beside_it_is_applied_saying_none_ran(tmp_path, capsys):
    path = tmp_path / "edited.yaml"
    path.write_text((PACKS_DIR / "dataflow.yaml").read_text())
    assert main(["policy", "apply", str(path)]) == 0
    assert "no handbook tests beside it (edited.scenarios.yaml); none run" in \
        capsys.readouterr().out


def test_a_pack_letting_agents_refund_more_is_refused(tmp_path, capsys):
    """ "Agent (Level 1): Approve refunds <30 days for Starter/Professional ($49–$149)":
    the refund ladder is a promise the tests hold a pack to, like the SLA targets."""
    source = (PACKS_DIR / "dataflow.yaml").read_text()
    path = tmp_path / "dataflow-generous.yaml"
    path.write_text(source.replace("max_amount: 149, max_days: 30",
                                   "max_amount: 500, max_days: 30"))
    (tmp_path / "dataflow-generous.scenarios.yaml").write_text(
        (PACKS_DIR / "dataflow.scenarios.yaml").read_text())
    assert main(["policy", "apply", str(path)]) == 1
    err = capsys.readouterr().err
    assert "FAIL  agent-limit-is-149: refunds expected [routed to support_manager]" in err
    assert "not applied: its handbook tests fail" in err
    assert not PolicyPackVersion.objects.exists()
