"""Web security: the CSP allows our own scripts only, pages cannot be framed, forms need a
CSRF token, customer text is escaped, and no template carries inline script or style."""

import re
from pathlib import Path

from django.test import Client

from tierdesk.people.access import viewer_for
from tierdesk.tickets.services import ticket_create

WEB = Path(__file__).resolve().parents[2] / "tierdesk" / "web"
XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_pages_send_a_csp_without_unsafe_inline_and_refuse_framing(desk):
    response = desk.client(desk.alice).get("/agent/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_forms_without_a_csrf_token_are_refused(desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.alice.user)
    response = client.post(f"/agent/tickets/{desk.ticket.pk}/reply/", {"body": "hi"})
    assert response.status_code == 403
    assert client.post("/login/", {"username": "alice", "password": "x"}).status_code == 403


def test_customer_text_is_escaped_on_the_agents_pages(desk):
    ticket, _ = ticket_create(viewer=viewer_for(desk.customer.user), subject=XSS, body=XSS,
                              requester=desk.customer)
    client = desk.client(desk.maria)
    for url in ("/agent/", f"/agent/tickets/{ticket.pk}/", "/agent/sla/"):
        html = client.get(url).content.decode()
        assert "<script>alert(2)" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in client.get(
        f"/agent/tickets/{ticket.pk}/").content.decode()


def test_templates_have_no_inline_script_style_or_event_handler():
    for path in (WEB / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), path
        assert "<style" not in text, path


def test_stylesheet_uses_logical_properties_only_so_rtl_mirrors():
    css = (WEB / "static" / "web" / "tierdesk.css").read_text()
    assert not re.search(r"\b(left|right)\b", css)
