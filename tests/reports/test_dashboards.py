"""The dashboards show the same figures as the metrics API, goals green or red."""

import re

from django.test import Client


def page(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path)


def tile(html, metric):
    match = re.search(rf'data-metric="{metric}"><dt[^>]*>[^<]*</dt><dd>(.*?)</dd>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_team_dashboard_shows_novembers_fcr_and_the_goal_it_meets(november):
    r = page(november.maria.user, "/agent/reports/?period=2026-11&kind=month")
    html = r.content.decode()
    assert r.status_code == 200
    assert tile(html, "first_contact_resolution") == "70%"
    assert tile(html, "tickets_created") == "10"
    assert tile(html, "escalation_rate") == "10%"
    fcr_goal = re.search(r'<tr class="(goal-\w+)" data-metric="first_contact_resolution">', html)
    assert fcr_goal.group(1) == "goal-met"
    escalation_goal = re.search(r'<tr class="(goal-\w+)" data-metric="escalation_rate">', html)
    assert escalation_goal.group(1) == "goal-missed"
    assert "<svg" in html and "<script" not in html.split("<body")[1].split("</main>")[0]


def test_an_agent_sees_my_figures_not_the_teams(november):
    r = page(november.oscar.user, "/agent/reports/?period=2026-11")
    html = r.content.decode()
    assert "My figures" in html
    assert tile(html, "tickets_created") == "0"


def test_filters_on_the_dashboard_narrow_the_figures(november):
    r = page(november.maria.user, "/agent/reports/?period=2026-11&group=devops")
    assert tile(r.content.decode(), "tickets_created") == "1"


def test_a_bad_period_on_the_dashboard_says_how_to_write_one(november):
    r = page(november.maria.user, "/agent/reports/?period=last-month")
    assert r.status_code == 400
    assert "2026-W48" in r.content.decode()


def test_the_dashboard_reads_right_to_left_in_arabic(november):
    client = Client()
    client.force_login(november.maria.user)
    r = client.get("/agent/reports/?period=2026-11", HTTP_ACCEPT_LANGUAGE="ar")
    html = r.content.decode()
    assert 'dir="rtl"' in html
    # the time axis is mirrored: the newest period is drawn leftmost
    ticks = re.findall(r'<text x="([\d.]+)" y="[\d.]+" dy="14" text-anchor="middle" '
                       r'class="tick">(2026-\d\d)</text>', html)
    by_period = {label: float(x) for x, label in ticks}
    assert by_period["2026-11"] < by_period["2026-08"]


def test_the_leadership_view_is_the_quarter_against_the_handbook(november):
    r = page(november.maria.user, "/agent/reports/leadership/?period=2026-Q4")
    html = r.content.decode()
    assert r.status_code == 200
    assert "2026-Q4" in html
    assert "FCR: 70% for P2–P3 tickets" in html
