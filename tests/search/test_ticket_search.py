"""Full-text ticket search through the API (`GET /api/v1/tickets?q=`): what is found, by
whom, and that the index follows every change the ticket services make."""

import pytest
from django.db import connection

from tests.factories import CustomerContactFactory, UserFactory
from tierdesk.cli import main as tierdesk
from tierdesk.search import query
from tierdesk.tickets import services
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.search import TICKETS


def open_ticket(world, customer=None, subject="Cannot sign in", body="Nobody can sign in",
                **extra) -> Ticket:
    customer = customer or world.customer
    ticket, _ = services.ticket_create(viewer=world.viewer(customer.user), subject=subject,
                                       body=body, requester=customer, **extra)
    return ticket


def found(api, q: str, **params) -> list[int]:
    query = "&".join(f"{k}={v}" for k, v in {"q": q, **params}.items())
    response = api.get(f"/api/v1/tickets?{query}")
    assert response.status_code == 200, response.content
    return [t["id"] for t in response.json()["items"]]


def test_a_word_only_in_a_message_body_is_found(world, api_as):
    first = open_ticket(world, subject="Dashboard", body="The export button does nothing")
    services.ticket_reply(ticket=first, viewer=world.viewer(world.agent), body="Please try the "
                          "kaleidoscope view while we look into it")
    open_ticket(world, subject="Other", body="Unrelated export question")
    assert found(api_as(world.agent), "kaleidoscope") == [first.pk]
    assert found(api_as(world.customer), "kaleidoscope") == [first.pk]
    assert found(api_as(world.agent), "export button") == [first.pk]


def test_an_internal_note_is_found_by_agents_and_never_by_the_customer(world, api_as):
    ticket = open_ticket(world)
    services.ticket_add_note(ticket=ticket, viewer=world.viewer(world.agent),
                             body="Customer is on the legacy escrow cluster")
    assert found(api_as(world.agent), "escrow") == [ticket.pk]
    assert found(api_as(world.manager), "escrow") == [ticket.pk]
    assert found(api_as(world.customer), "escrow") == []
    # A word of the public text with a word of the note: the note's word still hides it.
    assert found(api_as(world.customer), "sign escrow") == []
    assert found(api_as(world.customer), "sign") == [ticket.pk]


@pytest.mark.parametrize(("written", "searched"), [
    ("No puedo iniciar sesión desde ayer", "sesion"),
    ("No puedo iniciar sesion desde ayer", "sesión"),
    ("La facturación de diciembre está mal", "FACTURACION"),
    ("Le mot de passe a été réinitialisé", "reinitialise"),
    ("L'œuvre de la Straße", "strasse"),
])
def test_an_accented_word_is_found_unaccented_and_the_other_way_round(
        world, api_as, written, searched):
    ticket = open_ticket(world, subject="Ayuda", body=written, language="es")
    open_ticket(world, subject="Other", body="Nothing to see here")
    assert found(api_as(world.agent), searched) == [ticket.pk]


@pytest.mark.parametrize("searched", [
    "الحساب",  # as written
    "الحِسَاب",  # with harakat
    "الحســاب",  # stretched with tatweel
    "إلى الحساب",  # two words, alef with hamza below as written
    "الى الحساب",  # the same words, bare alef
])
def test_an_arabic_word_is_found_by_its_written_form(world, api_as, searched):
    ticket = open_ticket(world, subject="مشكلة", body="لا أستطيع الدخول إلى الحساب منذ الصباح",
                         language="ar")
    open_ticket(world, subject="Other", body="لا شيء هنا")
    assert found(api_as(world.agent), searched) == [ticket.pk]
    assert found(api_as(world.customer), searched) == [ticket.pk]


def test_a_customers_search_never_returns_or_counts_another_organisations_tickets(
        world, api_as):
    foreign = [open_ticket(world, customer=world.foreign_customer, body="Invoice mismatch")
               for _ in range(3)]
    own = open_ticket(world, body="Invoice mismatch")
    colleague = CustomerContactFactory(organisation=world.org,
                                       user=UserFactory(username="colleague"))
    own_colleague = open_ticket(world, customer=colleague, body="Invoice mismatch too")
    # Ranked first page of one: the other organisation's better or equal matches neither
    # show nor make a next page.
    api = api_as(world.customer)
    page = api.get("/api/v1/tickets?q=invoice+mismatch&limit=1").json()
    assert len(page["items"]) == 1
    second = api.get(f"/api/v1/tickets?q=invoice+mismatch&limit=1"
                     f"&cursor={page['next_cursor']}").json()
    assert {page["items"][0]["id"], second["items"][0]["id"]} == {own.pk, own_colleague.pk}
    assert second["next_cursor"] is None
    assert set(found(api_as(world.foreign_customer), "invoice")) == {t.pk for t in foreign}
    # Even with the organisation filter pointing elsewhere.
    assert found(api, "invoice", organisation_id=world.other_org.pk) == []


def test_a_group_scoped_agent_finds_only_what_the_list_shows_them(world, api_as):
    ours = open_ticket(world, body="Quarterly reconciliation fails", group=None)
    services.ticket_update(ticket=ours, viewer=world.viewer(world.manager),
                           changes={"group": world.group})
    theirs = open_ticket(world, customer=world.foreign_customer,
                         body="Quarterly reconciliation fails")
    services.ticket_update(ticket=theirs, viewer=world.viewer(world.manager),
                           changes={"group": world.other_group})
    assert found(api_as(world.agent), "reconciliation") == [ours.pk]
    assert found(api_as(world.outsider_agent), "reconciliation") == [theirs.pk]
    assert set(found(api_as(world.manager), "reconciliation")) == {ours.pk, theirs.pk}


def test_the_index_follows_an_update_of_subject_tags_and_error_code(world, api_as):
    ticket = open_ticket(world, subject="Printer jammed")
    services.ticket_update(ticket=ticket, viewer=world.viewer(world.agent), changes={
        "subject": "Scanner offline", "tags": ["hardware", "floor3"], "error_code": "HW-0042"})
    api = api_as(world.agent)
    assert found(api, "printer") == []
    assert found(api, "scanner") == [ticket.pk]
    assert found(api, "floor3") == [ticket.pk]
    assert found(api, "HW-0042") == [ticket.pk]


def test_the_index_survives_a_merge(world, api_as):
    source = open_ticket(world, subject="Duplicate", body="The gazebo widget is blank")
    target = open_ticket(world, subject="Widget blank", body="Widgets show nothing",
                         tags=["widgets"])
    services.ticket_add_note(ticket=source, viewer=world.viewer(world.agent),
                             body="Seen on the trampoline tenant")
    services.ticket_merge(source=source, target=target, viewer=world.viewer(world.agent))
    api = api_as(world.agent)
    # The moved messages are now the target's; the source keeps only its "merged" note.
    assert found(api, "gazebo") == [target.pk]
    assert found(api, "trampoline") == [target.pk]
    assert found(api_as(world.customer), "trampoline") == []
    assert found(api, "merged") == [source.pk]


def test_the_index_survives_a_rebuild(world, api_as, capsys):
    kept = open_ticket(world, body="Sandbox quota exceeded")
    gone = open_ticket(world, body="Sandbox quota exceeded again")
    # Written behind the services' back: a bulk import, a restore, a manual fix.
    Ticket.objects.filter(pk=kept.pk).update(subject="Lighthouse certificate")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TICKETS.table}")
    gone.messages.all().delete()
    gone.events.all().delete()
    gone.delete()
    api = api_as(world.agent)
    assert found(api, "sandbox") == []

    assert tierdesk(["search", "rebuild"]) == 0

    assert "tickets:" in capsys.readouterr().out
    assert found(api, "sandbox") == [kept.pk]
    assert found(api, "lighthouse") == [kept.pk]
    assert found(api_as(world.customer), "lighthouse") == [kept.pk]


def test_a_rebuild_drops_documents_of_tickets_that_are_gone(world, api_as):
    gone = open_ticket(world, body="Obsolete walrus report")
    gone_id = gone.pk
    gone.messages.all().delete()
    gone.events.all().delete()
    gone.delete()
    assert tierdesk(["search", "rebuild", "--index", "tickets", "--batch", "1"]) == 0
    with connection.cursor() as cursor:
        column = "rowid" if connection.vendor == "sqlite" else "id"
        cursor.execute(f"SELECT count(*) FROM {TICKETS.table} WHERE {column} = %s", [gone_id])
        assert cursor.fetchone()[0] == 0


def test_rebuild_of_an_unknown_index_says_which_exist(world, capsys):
    assert tierdesk(["search", "rebuild", "--index", "articles"]) == 2
    assert "is not one of kb_articles, tickets" in capsys.readouterr().err


def test_an_error_code_matches_exactly(world, api_as):
    exact = open_ticket(world, subject="Dashboard down", error_code="DB-2002")
    longer = open_ticket(world, subject="Dashboard down", error_code="DB-20021")
    other = open_ticket(world, subject="Dashboard down", error_code="DB-2003")
    mentioned = open_ticket(world, subject="Dashboard down", body="We saw db-2002 twice")
    api = api_as(world.agent)
    assert set(found(api, "DB-2002")) == {exact.pk, mentioned.pk}
    assert set(found(api, "db-2002")) == {exact.pk, mentioned.pk}
    assert found(api, "DB-2002", error_code="DB-2002") == [exact.pk]
    assert found(api, "2002") == []
    assert found(api, "DB-20021") == [longer.pk]
    assert found(api, "DB-2003") == [other.pk]


def test_a_match_in_the_subject_ranks_above_a_match_in_a_message(world, api_as):
    in_body = open_ticket(world, subject="Question", body="The aurora report is slow")
    in_subject = open_ticket(world, subject="Aurora report", body="It is slow")
    assert found(api_as(world.agent), "aurora") == [in_subject.pk, in_body.pk]


def test_search_pages_cover_every_match_once(world, api_as):
    tickets = {open_ticket(world, body=f"Nebula alert number {i}").pk for i in range(7)}
    api = api_as(world.agent)
    seen: list[int] = []
    url = "/api/v1/tickets?q=nebula&limit=3"
    while url:
        page = api.get(url).json()
        seen += [t["id"] for t in page["items"]]
        url = (f"/api/v1/tickets?q=nebula&limit=3&cursor={page['next_cursor']}"
               if page["next_cursor"] else None)
    assert sorted(seen) == sorted(tickets)


def test_a_search_without_a_word_finds_nothing(world, api_as):
    open_ticket(world)
    assert found(api_as(world.agent), "%21%3F%2A") == []


def test_a_list_cursor_is_refused_for_a_search(world, api_as):
    api = api_as(world.agent)
    for _ in range(2):
        open_ticket(world)
    cursor = api.get("/api/v1/tickets?limit=1").json()["next_cursor"]
    response = api.get(f"/api/v1/tickets?q=sign&cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["field"] == "cursor"


def test_a_very_common_word_is_ranked_among_its_newest_matches(world, api_as, monkeypatch):
    """Ranking reads every candidate, so only the newest RANK_WINDOW matches are ranked
    (1,000 in production; 3 here) and the pages end there."""
    monkeypatch.setattr(query, "RANK_WINDOW", 3)
    oldest = open_ticket(world, subject="Comet comet comet", body="Comet")
    newer = [open_ticket(world, subject="Other", body=f"comet number {i}") for i in range(4)]
    api = api_as(world.agent)
    page = api.get("/api/v1/tickets?q=comet&limit=2").json()
    rest = api.get(f"/api/v1/tickets?q=comet&limit=2&cursor={page['next_cursor']}").json()
    seen = [t["id"] for t in page["items"] + rest["items"]]
    assert sorted(seen) == sorted(t.pk for t in newer[1:])
    assert oldest.pk not in seen and rest["next_cursor"] is None
