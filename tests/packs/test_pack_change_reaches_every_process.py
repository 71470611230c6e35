"""A pack applied anywhere (the CLI, another web worker) is what every running process
uses for the next ticket it opens: issue 9, "A pack change reaches every running process
at once"."""

import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, UserFactory
from tierdesk import clock
from tierdesk.packs.services import pack_apply
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR

NY = ZoneInfo("America/New_York")
DATAFLOW = (PACKS_DIR / "dataflow.yaml").read_text()
# The same pack with the Enterprise P1 first response tightened from 4h to 2h.
DATAFLOW_V2 = DATAFLOW.replace("first_response: {P1: 4h, P2: 12h, P3: 24h}",
                               "first_response: {P1: 2h, P2: 12h, P3: 24h}")
ESCALATION_BASIC = (PACKS_DIR / "escalation-basic.yaml").read_text()
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dataflow_serving(api_as):
    """DataFlow v1 active, and this process has already opened a ticket under it (so
    anything it caches is warm)."""
    assert DATAFLOW_V2 != DATAFLOW
    pack_apply(source=DATAFLOW)
    manager = AgentFactory(user=UserFactory(username="maria"), role=Role.SUPPORT_MANAGER)
    org = OrganisationFactory(plan="Enterprise", country="US", timezone="America/New_York")
    requester = ContactFactory(organisation=org)
    clock.freeze(datetime(2026, 12, 1, 9, 0, tzinfo=NY))
    api = api_as(manager)
    first = open_sso_ticket(api, requester)
    assert (first["pack_version"], first["target"]) == (1, 240)
    return api, requester


def open_sso_ticket(api, requester) -> dict:
    created = api.post("/api/v1/tickets", {
        "subject": "SSO-9001: Login Failure", "body": "cannot log in",
        "requester_id": requester.pk, "error_code": "SSO-9001"})
    assert created.status_code == 201, created.content
    ticket = created.json()
    sla = api.get(f"/api/v1/tickets/{ticket['id']}/sla").json()
    first = next((c for c in sla["clocks"] if c["metric"] == "first_response"), None)
    return {"priority": ticket["priority"], "pack": sla["pack"],
            "pack_version": sla["pack_version"], "policy": sla["policy"],
            "target": first["target_minutes"] if first else None}


def apply_on_another_connection(source: str) -> None:
    """Apply as another web worker would: its own thread, its own database connection."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            pack_apply(source=source)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return (f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            f"/{settings['NAME']}")


def test_enterprise_p1_opened_after_a_cli_apply_elsewhere_gets_the_new_2h_target(
        dataflow_serving, tmp_path):
    """`tierdesk policy apply` in its own process; the next API create here is timed by v2."""
    api, requester = dataflow_serving
    pack_file = tmp_path / "dataflow.yaml"
    pack_file.write_text(DATAFLOW_V2)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env.update(TIERDESK_DATABASE_URL=database_url(), TIERDESK_DATA_DIR=str(tmp_path))
    done = subprocess.run([str(BIN / "tierdesk"), "policy", "apply", str(pack_file)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "applied dataflow v2" in done.stdout

    second = open_sso_ticket(api, requester)
    assert (second["pack"], second["pack_version"], second["target"]) == ("dataflow", 2, 120)


def test_enterprise_p1_opened_after_another_worker_applied_v2_gets_the_2h_target(
        dataflow_serving):
    api, requester = dataflow_serving
    apply_on_another_connection(DATAFLOW_V2)
    second = open_sso_ticket(api, requester)
    assert (second["pack_version"], second["target"]) == (2, 120)


def test_after_switching_to_escalation_basic_new_tickets_get_its_priorities_and_sla(
        dataflow_serving):
    api, requester = dataflow_serving
    apply_on_another_connection(ESCALATION_BASIC)
    ticket = open_sso_ticket(api, requester)
    # escalation-basic knows no P1: its classification default is "normal", timed 4h.
    assert ticket == {"priority": "normal", "pack": "escalation-basic", "pack_version": 1,
                      "policy": "Standard", "target": 240}


def test_a_priority_only_the_new_pack_knows_is_accepted_at_once(dataflow_serving):
    api, requester = dataflow_serving
    apply_on_another_connection(ESCALATION_BASIC)
    created = api.post("/api/v1/tickets", {"subject": "x", "body": "y", "priority": "high",
                                           "requester_id": requester.pk})
    assert created.status_code == 201, created.content
    assert api.post("/api/v1/tickets", {"subject": "x", "body": "y", "priority": "P1",
                                        "requester_id": requester.pk}).status_code == 400


def test_a_create_asks_once_whether_a_pack_was_applied(dataflow_serving):
    """Seeing every apply at once costs one cheap read per create (the generations'
    tokens), not one per lookup; the version row itself is kept by the process."""
    from django.test.utils import CaptureQueriesContext

    from tierdesk.packs.models import PolicyPackVersion

    api, requester = dataflow_serving
    table = PolicyPackVersion._meta.db_table
    with CaptureQueriesContext(connection) as ctx:
        assert api.post("/api/v1/tickets", {
            "subject": "SSO-9001", "body": "x", "requester_id": requester.pk,
            "error_code": "SSO-9001"}).status_code == 201
    tokens = [q["sql"] for q in ctx.captured_queries if "tierdesk_generation" in q["sql"]]
    reads = [q["sql"] for q in ctx.captured_queries if table in q["sql"]]
    assert len(tokens) == 1, tokens
    assert reads == []
