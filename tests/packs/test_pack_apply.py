"""Applying a pack: validated, versioned, audited; an invalid pack changes nothing; open
tickets adopt the new version with an event saying why; a dry run tells what would move."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory
from tierdesk import clock
from tierdesk.cli import main
from tierdesk.packs.impact import impact_on_open_tickets
from tierdesk.packs.models import PolicyPackVersion
from tierdesk.packs.services import PackRejected, adopt_active_pack, pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR, load_pack
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets import services
from tierdesk.tickets.models import TicketEvent

NY = ZoneInfo("America/New_York")
DATAFLOW = (PACKS_DIR / "dataflow.yaml").read_text()
# The same pack with the Enterprise P1 first response tightened from 4h to 2h.
DATAFLOW_V2 = DATAFLOW.replace("first_response: {P1: 4h, P2: 12h, P3: 24h}",
                               "first_response: {P1: 2h, P2: 12h, P3: 24h}")


@pytest.fixture
def enterprise_ticket(db):
    pack_apply(source=DATAFLOW)
    manager = AgentFactory(role=Role.SUPPORT_MANAGER)
    org = OrganisationFactory(plan="Enterprise", country="US", timezone="America/New_York")
    clock.freeze(datetime(2026, 12, 1, 9, 0, tzinfo=NY))
    ticket, _ = services.ticket_create(viewer=viewer_for(manager.user),
                                       requester=ContactFactory(organisation=org),
                                       subject="SSO-9001", body="x", error_code="SSO-9001")
    return ticket


def test_versions_are_numbered_per_pack_and_one_is_active(db):
    first = pack_apply(source=DATAFLOW).version
    second = pack_apply(source=DATAFLOW_V2).version
    assert (first.name, first.version, second.version) == ("dataflow", 1, 2)
    assert list(PolicyPackVersion.objects.filter(is_active=True)) == [second]


def test_applying_the_active_text_again_is_a_no_op(db):
    pack_apply(source=DATAFLOW)
    again = pack_apply(source=DATAFLOW)
    assert again.unchanged
    assert PolicyPackVersion.objects.count() == 1


def test_applying_an_invalid_pack_changes_nothing(db):
    pack_apply(source=DATAFLOW)
    broken = DATAFLOW.replace("first_response: {P1: 4h, P2: 12h, P3: 24h}",
                              "first_response: {P1: 4h, P5: 12h, P3: 24h}")
    with pytest.raises(PackRejected) as exc:
        pack_apply(source=broken)
    assert any("P5" in str(e) and "unknown priority" in str(e) for e in exc.value.errors)
    assert PolicyPackVersion.objects.count() == 1
    assert PolicyPackVersion.objects.get().is_active


def test_open_tickets_adopt_a_new_version_with_an_event_saying_why(enterprise_ticket):
    due_v1 = SlaTarget.objects.get(ticket=enterprise_ticket, metric="first_response").due_at
    v2 = pack_apply(source=DATAFLOW_V2).version
    assert adopt_active_pack() == 1
    first = SlaTarget.objects.get(ticket=enterprise_ticket, metric="first_response")
    assert first.pack_version == v2
    assert (due_v1 - first.due_at).total_seconds() == 2 * 3600
    event = TicketEvent.objects.filter(ticket=enterprise_ticket, type="sla_targets_set").last()
    assert event.data["reason"] == "policy pack dataflow v2 applied"
    assert adopt_active_pack() == 0  # nothing left to adopt


def test_dry_run_tells_how_many_due_times_would_move_and_by_how_much(enterprise_ticket):
    impact = impact_on_open_tickets(load_pack(DATAFLOW_V2))
    assert (impact.open_tickets, impact.moved) == (1, 1)
    assert impact.shifts == [-2 * 3600]
    reasons = [e.data["reason"] for e in
               TicketEvent.objects.filter(ticket=enterprise_ticket, type="sla_targets_set")]
    assert reasons == ["created"]  # a dry run writes nothing


def test_dry_run_of_the_same_pack_moves_nothing(enterprise_ticket):
    impact = impact_on_open_tickets(load_pack(DATAFLOW))
    assert (impact.open_tickets, impact.moved) == (1, 0)


@pytest.mark.parametrize("name", ["dataflow", "nexacore", "csu", "fire22", "escalation-basic"])
def test_policy_check_accepts_every_shipped_pack(name, capsys):
    assert main(["policy", "check", str(PACKS_DIR / f"{name}.yaml")]) == 0
    assert f"{name}" in capsys.readouterr().out


def test_policy_check_prints_the_path_of_the_bad_field(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DATAFLOW.replace("first_response: {P1: 4h, P2: 12h, P3: 24h}",
                                    "first_response: {P1: 4h, P5: 12h, P3: 24h}"))
    assert main(["policy", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "sla_policies[1].targets.first_response.P5: unknown priority" in err


@pytest.mark.django_db(transaction=True)
def test_policy_apply_command_applies_and_reports(tmp_path: Path, capsys):
    good = tmp_path / "dataflow.yaml"
    good.write_text(DATAFLOW)
    assert main(["policy", "apply", str(good), "--note", "first rollout"]) == 0
    assert "applied dataflow v1" in capsys.readouterr().out
    assert PolicyPackVersion.objects.get().note == "first rollout"


@pytest.mark.django_db(transaction=True)
def test_policy_apply_of_an_invalid_pack_exits_1_and_changes_nothing(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DATAFLOW.replace("calendar: always", "calendar: sometimes", 1))
    assert main(["policy", "apply", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "unknown calendar" in err
    assert "nothing changed" in err
    assert not PolicyPackVersion.objects.exists()


def test_policy_diff_against_open_tickets_reports_the_shift(enterprise_ticket, tmp_path, capsys):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(DATAFLOW)
    new.write_text(DATAFLOW_V2)
    assert main(["policy", "diff", str(old), str(new), "--against-open-tickets"]) == 0
    out = capsys.readouterr().out
    assert "first_response P1 4 h -> 2 h (2 h earlier)" in out
    assert "1 would have due times moved" in out
    assert "1 deadline(s) move 2 h earlier" in out
