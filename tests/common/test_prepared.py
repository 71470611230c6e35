"""The prepared statements answer and write exactly what the ORM would, or leave it to the ORM."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import RequestFactory

from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerContactFactory,
    GroupFactory,
    OrganisationFactory,
    TicketFactory,
    TierFactory,
    UserFactory,
)
from tierdesk.api.auth import TokenAuth
from tierdesk.common.prepared import create, get_first, insert
from tierdesk.customers.models import Contact, Organisation
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Agent
from tierdesk.people.services import token_create, token_revoke
from tierdesk.tickets.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
NEW_YORK = ZoneInfo("America/New_York")


def columns(obj, without=("id",)) -> dict:
    """Every concrete column as the instance holds it: its type, value and UTC offset."""
    out = {}
    for field in type(obj)._meta.concrete_fields:
        if field.attname in without:
            continue
        value = getattr(obj, field.attname)
        offset = value.utcoffset() if isinstance(value, dt.datetime) else None
        out[field.attname] = (type(value), value, offset)
    return out


@pytest.fixture
def ticket_fields():
    org = OrganisationFactory(vip=True, name="Redwood Bank")
    agent = AgentFactory(user=UserFactory(username="alice"), languages=["en", "de"])
    return dict(
        subject="VPN drops every hour", requester=ContactFactory(organisation=org),
        organisation=org, channel="email", priority="P1", status="open",
        tier=TierFactory(), group=None, assignee=agent,
        tags=["vpn", "urgent"], custom_fields={"region": "eu", "seats": 40, "trial": False},
        rules_check_at=WHEN.astimezone(NEW_YORK), created_at=WHEN, updated_at=WHEN,
        solved_at=WHEN + dt.timedelta(hours=2), first_responded_at=None,
    )


# --- get_first -----------------------------------------------------------------------------

def test_prepared_read_returns_the_same_ticket_the_orm_does(ticket_fields,
                                                            django_assert_num_queries):
    ticket = Ticket.objects.create(**ticket_fields)
    related = ("requester", "organisation", "group", "assignee")
    orm = Ticket.objects.select_related(*related).filter(pk=ticket.pk).first()

    with django_assert_num_queries(1):
        fast = get_first(Ticket, related, pk=ticket.pk)
        assert fast.group is None  # the nullable FK that is unset: joined, no query
        assert fast.organisation.vip is True
        for name in ("requester", "organisation", "assignee"):
            assert columns(getattr(fast, name), ()) == columns(getattr(orm, name), ())

    assert columns(fast, ()) == columns(orm, ())
    assert fast.tags == ["vpn", "urgent"]
    assert fast.custom_fields == {"region": "eu", "seats": 40, "trial": False}
    assert fast.rules_check_at == WHEN and fast.rules_check_at.utcoffset() == dt.timedelta(0)
    assert fast._state.adding is False and fast._state.db == "default"


def test_a_contact_comes_with_its_organisation_in_one_query(django_assert_num_queries):
    contact = ContactFactory(organisation=OrganisationFactory(name="Cobalt Logistics"))

    with django_assert_num_queries(1):
        found = get_first(Contact, ("organisation",), email=contact.email)
        assert found.organisation.name == "Cobalt Logistics"

    assert found == contact
    assert columns(found) == columns(Contact.objects.get(pk=contact.pk))


def test_a_contact_without_organisation_has_none_without_a_query(django_assert_num_queries):
    contact = ContactFactory(organisation=None)

    with django_assert_num_queries(1):
        found = get_first(Contact, ("organisation",), pk=contact.pk)
        assert found.organisation is None


def test_a_missing_row_gives_none(django_assert_num_queries):
    ContactFactory(email="someone@customer.example.com")

    with django_assert_num_queries(1):
        assert get_first(Contact, ("organisation",), email="nobody@customer.example.com") is None


def test_a_lookup_value_is_converted_the_way_the_orm_converts_it():
    contact = ContactFactory()

    assert get_first(Contact, ("organisation",), pk=str(contact.pk)) == contact


@pytest.mark.parametrize("lookup", [
    lambda c: {"organisation__name": c.organisation.name},   # a lookup across a relation
    lambda c: {"organisation": c.organisation},               # a model instance
    lambda c: {"organisation_id": c.organisation_id},         # a relation's column
    lambda c: {"external_id": None, "name": c.name},          # None means IS NULL
])
def test_lookups_the_prepared_path_cannot_take_still_answer_like_the_orm(lookup):
    wanted = ContactFactory(name="Wanted", organisation=OrganisationFactory(name="Umbrella"))
    ContactFactory(name="Other", external_id="C-1")
    eq = lookup(wanted)

    found = get_first(Contact, ("organisation",), **eq)

    assert found == Contact.objects.select_related("organisation").filter(**eq).first()
    assert found == wanted
    assert found.organisation.name == "Umbrella"


def test_several_matches_give_the_row_the_orm_first_gives():
    older, newer = TicketFactory(status="open"), TicketFactory(status="open")
    assert Ticket.objects.filter(status="open").first() == newer  # Meta.ordering = ["-id"]

    assert get_first(Ticket, (), status="open") == newer, f"got {older}, the oldest"


# --- insert / create -----------------------------------------------------------------------

@pytest.mark.parametrize("model, make_fields", [
    (Ticket, lambda f: f),
    (Message, lambda f: dict(ticket=TicketFactory(), kind="reply", author=UserFactory(),
                             body_text="It works again", created_at=WHEN)),
    (TicketEvent, lambda f: dict(ticket=TicketFactory(), type="created", actor=None,
                                 created_at=WHEN.astimezone(NEW_YORK),
                                 data={"priority": "P1", "tags": ["a"], "n": 1.5})),
])
def test_prepared_create_writes_the_row_objects_create_writes(model, make_fields,
                                                              ticket_fields):
    fields = make_fields(ticket_fields)

    by_orm = model.objects.create(**fields)
    fast = create(model, **fields)

    reread = model.objects.get(pk=fast.pk)
    assert columns(reread) == columns(model.objects.get(pk=by_orm.pk))
    assert fast.pk != by_orm.pk and isinstance(fast.pk, int)


def test_insert_gives_the_object_its_id_and_marks_it_saved():
    org = insert(Organisation(name="Initech", plan="Pro"))

    assert org.pk == Organisation.objects.get(name="Initech").pk
    assert org._state.adding is False and org._state.db == "default"
    org.plan = "Enterprise"
    org.save()  # an UPDATE of that row, not a second one
    assert list(Organisation.objects.values_list("name", "plan")) == [("Initech", "Enterprise")]


def test_insert_fills_auto_now_add_like_the_orm():
    before = dt.datetime.now(dt.UTC)
    by_orm = Organisation.objects.create(name="Globex", vip=True, external_id=None)
    fast = create(Organisation, name="Hooli", vip=True, external_id=None)
    after = dt.datetime.now(dt.UTC)

    assert before <= fast.created_at <= after
    reread = Organisation.objects.get(pk=fast.pk)
    assert reread.created_at == fast.created_at
    unset = ("id", "created_at")
    orm_row = columns(Organisation.objects.get(pk=by_orm.pk), unset)
    assert columns(reread, unset) == {**orm_row, "name": (str, "Hooli", None)}


def test_an_object_that_already_has_a_pk_is_saved_by_the_orm():
    org = insert(Organisation(pk=4242, name="Vandelay"))

    assert Organisation.objects.get(pk=4242).name == "Vandelay"
    assert org._state.adding is False


@pytest.mark.django_db(transaction=True)  # a real transaction, not the test's savepoint
def test_an_insert_in_a_rolled_back_transaction_leaves_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        create(Organisation, name="Ghost Corp")
        raise RuntimeError("changed my mind")

    assert not Organisation.objects.filter(name="Ghost Corp").exists()


def test_a_related_object_saved_after_assignment_is_linked_like_the_orm_links_it():
    org = Organisation(name="Late Ltd")
    ticket = Ticket(subject="x", requester=ContactFactory(), organisation=org,
                    created_at=WHEN, updated_at=WHEN)
    org.save()

    insert(ticket)

    assert Ticket.objects.get(pk=ticket.pk).organisation_id == org.pk  # the ORM: org.pk


def test_an_unsaved_related_object_is_refused_as_the_orm_refuses_it():
    with pytest.raises(ValueError, match="unsaved related object 'organisation'"):
        create(Ticket, subject="x", requester=ContactFactory(), organisation=Organisation(),
               created_at=WHEN, updated_at=WHEN)


# --- TokenAuth -----------------------------------------------------------------------------

@pytest.fixture
def agent():
    return AgentFactory(user=UserFactory(username="alice"), groups=[GroupFactory()])


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_valid_token_is_let_in_and_a_revoked_one_is_refused(client, agent):
    kept, kept_secret = token_create(user=agent.user)
    revoked, revoked_secret = token_create(user=agent.user, name="old laptop")
    token_revoke(token=revoked)

    assert client.get("/api/v1/tickets", **bearer(kept_secret)).status_code == 200
    assert client.get("/api/v1/tickets", **bearer(revoked_secret)).status_code == 401
    assert client.get("/api/v1/tickets", **bearer("td_made-up")).status_code == 401


def test_an_inactive_users_token_is_refused(client, agent):
    _, secret = token_create(user=agent.user)
    assert client.get("/api/v1/tickets", **bearer(secret)).status_code == 200

    get_user_model().objects.filter(pk=agent.user.pk).update(is_active=False)

    assert client.get("/api/v1/tickets", **bearer(secret)).status_code == 401


def test_a_valid_token_gives_the_user_with_its_agent_in_one_query(agent,
                                                                  django_assert_num_queries):
    _, secret = token_create(user=agent.user)
    request = RequestFactory().get("/api/v1/tickets")

    with django_assert_num_queries(1):
        user = TokenAuth().authenticate(request, secret)
    with django_assert_num_queries(0):
        viewer = viewer_for(request.user)

    assert request.user is user
    assert columns(user, ()) == columns(get_user_model().objects.get(pk=agent.user.pk), ())
    assert viewer.agent == agent and viewer.agent.user is user
    assert columns(viewer.agent, ()) == columns(Agent.objects.get(pk=agent.pk), ())


def test_a_customers_token_gives_the_user_without_an_agent():
    customer = CustomerContactFactory()
    _, secret = token_create(user=customer.user)
    request = RequestFactory().get("/api/v1/tickets")

    assert TokenAuth().authenticate(request, secret) == customer.user
    viewer = viewer_for(request.user)
    assert viewer.agent is None and viewer.contact == customer


@pytest.mark.parametrize("rows", [3, 120])  # a few rows as a VALUES list; many as arrays
def test_a_bulk_insert_and_update_write_what_the_orm_reads_back(rows):
    from tierdesk.common.prepared import insert_many, update_many

    ticket = TicketFactory()
    user = UserFactory()
    events = [TicketEvent(ticket=ticket, type="note_added", actor=user if i % 2 else None,
                          data={"n": i, "text": "it's \"quoted\" \\ {braces}, ünïcode",
                                "list": [i, None]},
                          created_at=WHEN + dt.timedelta(seconds=i)) for i in range(rows)]
    insert_many(events)

    assert [e.pk for e in events] == sorted(e.pk for e in events)  # ids in insert order
    stored = {e.pk: e for e in TicketEvent.objects.filter(ticket=ticket)}
    for event in events:
        assert columns(stored[event.pk]) == columns(event)

    tickets = [TicketFactory() for _ in range(rows)]
    for i, t in enumerate(tickets):
        t.subject = f"renamed {i} 'with' quotes"
        t.tags = ["a", f"t{i}"] if i % 3 else []
        t.assignee = None
        t.rules_check_at = WHEN + dt.timedelta(minutes=i) if i % 2 else None
    update_many(tickets, ["subject", "tags", "assignee", "rules_check_at"])
    for t in tickets:
        again = Ticket.objects.get(pk=t.pk)
        assert (again.subject, again.tags, again.assignee_id, again.rules_check_at) == (
            t.subject, t.tags, None, t.rules_check_at)
