"""Customers and the bot find published public articles in their own language; internal
ones never reach them; error codes match whole; the bot deflects or hands off."""

from tests.kb.conftest import publish
from tierdesk.kb import bot, selectors
from tierdesk.kb.models import BotConversation
from tierdesk.tickets.models import Ticket, TicketEvent


def _credentials(team):
    return publish(
        team, title="DS-1001: Invalid credentials on a data source",
        body="Re-enter the database password and test the connection again.",
        codes=["DS-1001"], category="data-sources",
        more={"es": ("DS-1001: credenciales no válidas en una fuente de datos",
                     "Vuelva a introducir la contraseña de la base de datos y pruebe la "
                     "conexión de nuevo."),
              "fr": ("DS-1001 : identifiants invalides sur une source de données",
                     "Saisissez de nouveau le mot de passe de la base et testez la connexion.")})


def _internal(team):
    return publish(team, title="Security breach: rotate every database password",
                   body="Internal runbook: rotate the database password, notify the CISO.",
                   codes=["DS-1001"], category="security")


def test_a_spanish_question_finds_the_spanish_version(dataflow, team, api_as):
    article = _credentials(team)
    hits = api_as(team.spanish_customer).get(
        "/api/v1/kb/articles", QUERY_STRING="q=No puedo conectar, dice que las credenciales "
        "no son válidas&language=es").json()
    assert hits[0]["id"] == article.pk
    assert hits[0]["language"] == "es"
    assert hits[0]["title"].startswith("DS-1001: credenciales")


def test_a_search_in_no_known_language_is_refused_with_a_message(dataflow, team, api_as):
    _credentials(team)
    for language in ("", "de"):
        response = api_as(team.spanish_customer).get(
            "/api/v1/kb/articles", QUERY_STRING=f"q=%C3%AE%C3%97&language={language}")
        assert response.status_code == 422, response.content
        assert "language" in response.content.decode()
    assert selectors.search_articles(query="credenciales", language="", public=True) == []


def test_an_internal_article_never_reaches_the_portal_the_bot_or_a_customer_search(
        dataflow, team, api_as):
    public = _credentials(team)
    internal = _internal(team)
    customer = api_as(team.customer)
    found = customer.get("/api/v1/kb/articles", QUERY_STRING="q=database password DS-1001")
    assert [h["id"] for h in found.json()] == [public.pk]
    assert customer.get(f"/api/v1/kb/articles/{internal.pk}").status_code == 404
    assert customer.post(f"/api/v1/kb/articles/{internal.pk}/feedback",
                         {"helpful": True}).status_code == 404
    conversation = bot.bot_ask(viewer=team.v(team.customer),
                               question="rotate the database password")
    assert internal.pk not in conversation.articles
    # agents see it (it is written for them)
    agent_hits = selectors.search_articles(query="rotate database password", language="en",
                                           public=False)
    assert internal.pk in [h.article.pk for h in agent_hits]


def test_the_portal_does_not_show_an_internal_article_page(dataflow, team, client):
    internal = _internal(team)
    client.force_login(team.customer.user)
    assert client.get(f"/portal/kb/{internal.pk}/").status_code == 404
    page = client.get("/portal/kb/?q=rotate+database+password")
    assert page.status_code == 200 and b"CISO" not in page.content
    assert b"Security breach" not in page.content


def test_an_error_code_matches_whole_never_a_neighbour(dataflow, team):
    credentials = _credentials(team)
    failure = publish(team, title="DS-1002: Data source connection failure",
                      body="Check the firewall allows our IP range.", codes=["DS-1002"])
    hits = selectors.search_articles(query="DS-1002", language="en", public=True)
    assert [h.article.pk for h in hits] == [failure.pk]
    hits = selectors.search_articles(query="error ds-1001 when I connect", language="en",
                                     public=True)
    assert hits[0].article.pk == credentials.pk and hits[0].by_code


def test_drafts_and_archived_articles_are_not_searchable_by_customers(dataflow, team):
    from tierdesk.kb import services

    services.article_create(viewer=team.v(team.alice), language="en",
                            title="Map rendering error", body="Clear the cache.")
    assert selectors.search_articles(query="map rendering", language="en", public=True) == []


def test_the_bot_deflects_a_question_its_article_solves(dataflow, team, api_as):
    article = _credentials(team)
    customer = api_as(team.spanish_customer)
    asked = customer.post("/api/v1/bot/conversations",
                          {"question": "Me sale DS-1001 al conectar mi base de datos"}).json()
    assert asked["outcome"] == "open" and asked["articles"][0] == article.pk
    assert asked["transcript"][-1]["text"] == "¿Esto lo ha resuelto?"
    done = customer.post(f"/api/v1/bot/conversations/{asked['id']}/answer",
                         {"solved": True}).json()
    assert done["outcome"] == "deflected" and done["ticket_id"] is None
    assert Ticket.objects.count() == 0
    share = api_as(team.maria).get("/api/v1/kb/figures").json()["bot"][-1]
    assert (share["deflected"], share["resolution_share"]) == (1, 1.0)


def test_the_bot_hands_off_with_the_transcript_and_articles_tried(dataflow, team, api_as):
    article = _credentials(team)
    customer = api_as(team.customer)
    asked = customer.post("/api/v1/bot/conversations",
                          {"question": "DS-1001 on my Postgres source"}).json()
    done = customer.post(f"/api/v1/bot/conversations/{asked['id']}/answer",
                         {"solved": False, "message": "Still failing after a new password"}
                         ).json()
    assert done["outcome"] == "handed_off"
    ticket = Ticket.objects.get(pk=done["ticket_id"])
    body = ticket.messages.get().body_text
    assert "Customer: DS-1001 on my Postgres source" in body
    assert f"KB-{article.pk}: DS-1001: Invalid credentials on a data source" in body
    assert "No, not solved. Still failing after a new password" in body
    assert f"Articles tried: KB-{article.pk}" in body
    assert (ticket.channel, ticket.error_code, ticket.tier.code) == ("chatbot", "DS-1001", "L1")
    assert "bot-handoff" in ticket.tags
    assert TicketEvent.objects.filter(ticket=ticket, type="created").exists()


def test_the_bot_hands_off_at_once_when_the_customer_asks_for_a_person(dataflow, team):
    _credentials(team)
    conversation = bot.bot_ask(viewer=team.v(team.customer),
                               question="I want to talk to a person")
    assert conversation.outcome == BotConversation.Outcome.HANDED_OFF
    assert conversation.handoff_reason == "asked for a person"


def test_an_outage_goes_to_a_person_at_once_by_the_packs_p0_keywords(dataflow, team):
    """DataFlow's classification: "Service Unavailable" is a P0 critical outage."""
    conversation = bot.bot_ask(viewer=team.v(team.customer),
                               question="Everything shows Service Unavailable since 9:00")
    assert conversation.outcome == "handed_off"
    assert conversation.handoff_reason == "urgent: P0 by classification rule 'platform outage'"
    assert conversation.ticket.priority == "P0"


def test_an_urgent_error_code_goes_to_a_person_at_once(dataflow, team):
    conversation = bot.bot_ask(viewer=team.v(team.customer), question="DB-2002 again")
    assert conversation.handoff_reason == "urgent: P0 by error code DB-2002"


def test_the_bot_is_for_customers(dataflow, team, api_as):
    r = api_as(team.alice).post("/api/v1/bot/conversations", {"question": "hi"})
    assert r.status_code == 403


def test_the_ticket_page_suggests_articles_for_its_error_code_and_text(dataflow, team,
                                                                        api_as):
    from tierdesk.people.access import viewer_for
    from tierdesk.tickets.services import ticket_create

    article = _credentials(team)
    ticket, _ = ticket_create(viewer=viewer_for(team.customer.user), subject="Cannot connect",
                              body="Our source stopped", requester=team.customer,
                              error_code="DS-1001")
    hits = api_as(team.maria).get(f"/api/v1/tickets/{ticket.pk}/kb-suggestions").json()
    assert hits[0]["id"] == article.pk and hits[0]["matched_error_code"]


def test_the_ticket_page_shows_the_suggestions_and_the_handle_time_script(dataflow, team):
    from django.test import Client

    from tierdesk.people.access import viewer_for
    from tierdesk.tickets.services import ticket_create

    _credentials(team)
    ticket, _ = ticket_create(viewer=viewer_for(team.customer.user), subject="Cannot connect",
                              body="Our source stopped", requester=team.customer,
                              error_code="DS-1001")
    client = Client()
    client.force_login(team.maria.user)
    page = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Suggested articles" in page
    assert "DS-1001: Invalid credentials on a data source" in page
    assert f'data-heartbeat="/agent/tickets/{ticket.pk}/heartbeat/"' in page
    assert "kb-handle-time.js" in page
