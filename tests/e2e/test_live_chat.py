"""Live chat in the real browser: a visitor chats through the embeddable widget (plain
JavaScript under the strict CSP, no inline script) and an agent answers from the
workspace's chat console; each sees the other's line arrive by long-poll."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import AgentFactory, GroupFactory, UserFactory
from tierdesk.chat.models import ChatSession
from tierdesk.packs.services import pack_apply
from tierdesk.policy import PACKS_DIR

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_and_an_agent_chat_live_and_the_chat_is_a_ticket(open_session):
    pack_apply(source=(PACKS_DIR / "fire22.yaml").read_text())
    user = UserFactory(username="alice", first_name="Alice")
    user.set_password("tierdesk-e2e")
    user.save()
    AgentFactory(user=user, groups=[GroupFactory(name="Support")])

    visitor = open_session()
    visitor.goto("/chat/widget/")
    visitor.page.locator("#chat-name").fill("Jo Visitor")
    visitor.page.locator("#chat-email").fill("jo@visitor.example")
    visitor.page.locator("#chat-first").fill("My deposit has not arrived")
    visitor.page.get_by_role("button", name="Start chat").click()
    expect(visitor.page.locator("#chat-lines")).to_contain_text("My deposit has not arrived")
    expect(visitor.page.locator("#chat-start")).to_be_hidden()

    session = ChatSession.objects.get()
    agent = open_session()
    agent.sign_in("alice", "tierdesk-e2e")
    agent.goto("/agent/chats/")
    agent.page.get_by_role("link", name=re.compile("My deposit has not arrived")).click()
    agent.page.locator("#chat-text").fill("Hi Jo, I am checking it now")
    agent.page.get_by_role("button", name="Send").click()

    expect(visitor.page.locator("#chat-lines")).to_contain_text("Hi Jo, I am checking it now")
    visitor.page.locator("#chat-text").fill("Thank you!")
    visitor.page.get_by_role("button", name="Send").click()
    expect(agent.page.locator("#chat-lines")).to_contain_text("Thank you!")
    visitor.screenshot("chat-widget")
    agent.screenshot("chat-console")

    ticket = session.ticket
    assert list(ticket.messages.order_by("id").values_list("body_text", flat=True)) == [
        "My deposit has not arrived", "Hi Jo, I am checking it now", "Thank you!"]
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None


def test_the_widget_in_arabic_reads_right_to_left(open_session):
    visitor = open_session("ar")
    visitor.goto("/chat/widget/?lang=ar")
    expect(visitor.page.locator("html")).to_have_attribute("dir", "rtl")
    expect(visitor.page.get_by_role("button", name="بدء المحادثة")).to_be_visible()
