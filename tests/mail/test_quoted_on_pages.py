"""What a customer's mail client quoted under their words is kept apart at intake (issue
12: "kept behind a 'show quoted' part"); the agent's ticket page and the customer's
portal page show it folded under the message, as text, never as markup."""

import re

import pytest
from django.test import Client

from tests.factories import AgentFactory, CustomerContactFactory, OrganisationFactory, UserFactory
from tests.mail.messages import mail
from tierdesk.mail.services import ingest
from tierdesk.people.models import Role

GMAIL = """Thanks, that worked!

On Mon, 3 Mar 2025 at 09:00, DataFlow Support <support@dataflow.com> wrote:
> Please try again <script>alert(1)</script>.
>
> Regards
"""
FOLDED = re.compile(r'<details class="quoted"><summary>Show quoted text</summary>'
                    r'<div class="body quoted-text" dir="auto">(.*?)</div></details>', re.S)


@pytest.fixture
def ann(dataflow):
    org = OrganisationFactory(name="Redwood Bank", plan="Enterprise", language="en")
    return CustomerContactFactory(organisation=org, name="Ann Lee",
                                  email="ann@redwood.example.com",
                                  user=UserFactory(username="ann"))


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _folded(page: str) -> str:
    (quoted,) = FOLDED.findall(page)
    return quoted


def test_the_agent_sees_the_quoted_history_folded_under_the_message(ann):
    ticket_id = ingest(mail(sender="ann@redwood.example.com", body=GMAIL),
                       source="test").ticket_id
    maria = AgentFactory(user=UserFactory(username="maria"), role=Role.SUPPORT_MANAGER)

    page = _page(maria.user, f"/agent/tickets/{ticket_id}/")

    quoted = _folded(page)
    assert "Please try again" in quoted and "wrote:" in quoted
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in quoted
    assert "<script>alert(1)" not in page
    assert "Thanks, that worked!" in page


def test_the_customer_sees_their_quoted_history_folded_in_the_portal(ann):
    ticket_id = ingest(mail(sender="ann@redwood.example.com", body=GMAIL),
                       source="test").ticket_id

    page = _page(ann.user, f"/portal/tickets/{ticket_id}/")

    assert "Please try again" in _folded(page)
    assert "<script>alert(1)" not in page


def test_a_message_that_quoted_nothing_has_no_fold(ann):
    ticket_id = ingest(mail(sender="ann@redwood.example.com", body="Exports fail since 9am."),
                       source="test").ticket_id

    assert "Show quoted text" not in _page(ann.user, f"/portal/tickets/{ticket_id}/")
