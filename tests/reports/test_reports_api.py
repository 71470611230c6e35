"""The read-only metrics API and the CSV exports, as a BI tool and a spreadsheet see them."""

import csv
import io

from tests.conftest import Api


def test_a_manager_pulls_novembers_figures_in_the_customers_zone(november):
    api = Api(november.maria.user)
    r = api.get("/api/v1/reports/metrics?period=2026-11&tz=America/New_York"
                "&metrics=first_contact_resolution,escalation_rate")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["period"] == "2026-11"
    assert body["metrics"]["first_contact_resolution"]["value"] == 70.0
    assert body["metrics"]["escalation_rate"]["value"] == 10.0
    assert "FCR" in body["metrics"]["first_contact_resolution"]["source"]


def test_an_agent_sees_only_their_own_figures_whatever_they_ask(november):
    r = Api(november.oscar.user).get("/api/v1/reports/metrics?period=2026-11"
                                     "&tz=America/New_York&agent=&metrics=tickets_created")
    assert r.status_code == 200
    assert r.json()["filters"] == {"agent": [november.oscar.pk]}
    assert r.json()["metrics"]["tickets_created"]["value"] == 0  # none assigned to him


def test_the_goals_show_the_packs_fcr_target_for_p2_p3_beside_the_figure(november):
    r = Api(november.maria.user).get("/api/v1/reports/goals?period=2026-11&tz=America/New_York")
    assert r.status_code == 200
    fcr = next(g for g in r.json()["goals"] if g["metric"] == "first_contact_resolution")
    assert (fcr["target"], fcr["actual"], fcr["met"]) == (70.0, 70.0, True)
    assert fcr["where"] == {"priority": ["P2", "P3"]}
    assert [p["period"] for p in fcr["trend"]] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    escalation = next(g for g in r.json()["goals"] if g["metric"] == "escalation_rate")
    assert escalation["met"] is False  # 10% is not below 10%


def test_a_bad_period_or_metric_is_a_clear_400(november):
    api = Api(november.maria.user)
    r = api.get("/api/v1/reports/metrics?period=November")
    assert r.status_code == 400
    assert "2026-W48" in r.json()["message"]
    r = api.get("/api/v1/reports/metrics?metrics=happiness")
    assert r.status_code == 400
    assert "happiness" in r.json()["message"]
    r = api.get("/api/v1/reports/metrics?tz=Mars/Olympus")
    assert r.status_code == 400


def test_the_metrics_csv_opens_with_one_row_per_figure(november):
    r = Api(november.maria.user).get("/api/v1/reports/metrics.csv?period=2026-11"
                                     "&tz=America/New_York")
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    fcr = next(row for row in rows if row["metric"] == "first_contact_resolution")
    assert fcr["value"] == "70.0"
    assert any(row["metric"] == "channel_distribution" and row["key"] == "portal"
               and row["value"] == "10" for row in rows)


def test_the_ticket_export_lists_the_periods_tickets_and_defuses_formulas(november):
    first = november.tickets[0]
    first.subject = "=HYPERLINK(\"http://evil\")"
    first.save(update_fields=["subject"])
    r = Api(november.maria.user).get("/api/v1/reports/tickets.csv?period=2026-11"
                                     "&tz=America/New_York")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert len(rows) == 10
    assert rows[0]["subject"].startswith("'=")
    assert {row["plan"] for row in rows} == {"Professional"}
