"""DataFlow 10.2 "Reporting": each report is mailed once when its period closes, to the
roles the pack names, with a CSV and a PDF that open."""

import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdfium2
import pytest

from tierdesk import clock
from tierdesk.outbox.services import deliver_due
from tierdesk.reports.models import ScheduledReportRun
from tierdesk.reports.scheduled import send_due

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
UTC = ZoneInfo("UTC")


@pytest.fixture
def managers_with_mail(november):
    november.maria.user.email = "maria@dataflow.example"
    november.maria.user.save(update_fields=["email"])
    return november


def attachments(message):
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def test_the_monthly_report_arrives_once_with_a_csv_and_a_pdf_that_open(
        managers_with_mail, smtp_server):
    clock.freeze(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    send_due()
    send_due()  # the sweep runs again: nothing is sent twice
    deliver_due()
    monthly = [m for m in smtp_server.messages
               if "Monthly satisfaction and churn: 2026-11" in m["Subject"]]
    assert len(monthly) == 1
    assert monthly[0]["To"] == "maria@dataflow.example"
    assert monthly[0]["Auto-Submitted"] == "auto-generated"
    files = attachments(monthly[0])
    rows = list(csv.reader(io.StringIO(files["monthly-satisfaction-2026-11.csv"])))
    fcr = next(r for r in rows if r[1:2] == ["first_contact_resolution"])
    assert fcr[3] == "70.0"
    pdf = pypdfium2.PdfDocument(files["monthly-satisfaction-2026-11.pdf"])
    text = pdf[0].get_textpage().get_text_range()
    assert "Monthly satisfaction and churn: 2026-11" in text
    assert "70%" in text
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf[0].render(scale=1.5).to_pil().save(SCREENSHOTS / "report-monthly-pdf.png")


def test_each_cadence_reports_its_own_closed_period(managers_with_mail, smtp_server):
    clock.freeze(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))  # a Tuesday opening Q4's last month
    send_due()
    periods = dict(ScheduledReportRun.objects.values_list("name", "period"))
    assert periods == {"daily-sla": "2026-11-30", "weekly-trends": "2026-W48",
                       "monthly-satisfaction": "2026-11", "quarterly-kb-impact": "2026-Q3"}


def test_a_report_nobody_holds_the_role_for_is_recorded_but_mails_no_one(november,
                                                                       smtp_server):
    november.maria.user.email = ""
    november.maria.user.save(update_fields=["email"])
    clock.freeze(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    send_due()  # maria has no e-mail address, the director role is held by nobody
    deliver_due()
    assert ScheduledReportRun.objects.filter(name="monthly-satisfaction").get().recipients == []
    assert [m for m in smtp_server.messages if m["Subject"].startswith("[Tierdesk]")] == []
