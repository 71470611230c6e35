"""`tierdesk import tickets FILE.jsonl`: every line's outcome, and a re-run is a no-op."""

import json

import pytest

from tests.factories import ContactFactory, OrganisationFactory
from tierdesk.cli import main
from tierdesk.packs.services import pack_apply
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets.models import Ticket, TicketEvent


@pytest.fixture
def history(db, tmp_path):
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    org = OrganisationFactory(external_id="1018", plan="Enterprise", country="US",
                              timezone="America/New_York")
    ContactFactory(organisation=org, email="it@redwood.example.com")
    good = {"external_id": "zd-1", "subject": "SSO-9001: Login Failure", "body": "help",
            "created_at": "2026-11-20T16:00:00Z", "organisation": "1018",
            "requester": {"email": "it@redwood.example.com"}, "error_code": "SSO-9001",
            "messages": [{"created_at": "2026-11-23T10:00:00Z", "author": "agent",
                          "body": "Fixed"}]}
    bad = {**good, "external_id": "zd-2",
           "messages": [{"created_at": "2026-11-23T10:00:00Z", "author": "agent",
                         "body": "Fixed"},
                        {"created_at": "yesterday", "author": "customer", "body": "thanks"}]}
    path = tmp_path / "history.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    return path


def test_import_reports_every_line_and_names_the_bad_field(history, capsys):
    code = main(["import", "tickets", str(history)])
    out, err = capsys.readouterr()
    ticket = Ticket.objects.get()
    assert code == 1
    assert f"line 1: created #{ticket.pk} (zd-1)" in out
    assert "line 2: error: messages[1].created_at: not an ISO-8601 instant" in err
    assert "created 1, skipped 0 duplicate(s), 0 conflict(s), 1 error(s)" in out


def test_importing_the_same_file_again_changes_nothing(history, capsys):
    main(["import", "tickets", str(history)])
    events = TicketEvent.objects.count()
    capsys.readouterr()
    main(["import", "tickets", str(history)])
    out, _ = capsys.readouterr()
    ticket = Ticket.objects.get()
    assert f"line 1: skipped duplicate of #{ticket.pk} (zd-1)" in out
    assert TicketEvent.objects.count() == events


def test_import_as_a_user_who_is_not_an_administrator_is_refused(history, capsys):
    from tests.factories import AgentFactory, UserFactory

    AgentFactory(user=UserFactory(username="alice"))
    code = main(["import", "tickets", str(history), "--as", "alice"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "only administrators may import tickets" in err
    assert not Ticket.objects.exists()


def test_import_of_a_missing_file_says_so(db, tmp_path, capsys):
    code = main(["import", "tickets", str(tmp_path / "nope.jsonl")])
    assert code == 2
    assert "no such file" in capsys.readouterr().err
