"""Saved filters: an agent names the view they are looking at and finds it in the
sidebar from then on, with its count; nobody else sees or deletes it."""

from tests.web.test_workspace import counts, rows
from tierdesk.people.access import viewer_for
from tierdesk.web import queues
from tierdesk.workspace import services
from tierdesk.workspace.models import SavedFilter


def test_alice_saves_the_support_queues_breached_p1s_and_opens_them_from_the_sidebar(desk):
    client = desk.client(desk.alice)
    response = client.post("/agent/filters/", {"name": "Support P1", "view": "open",
                                               "group": desk.support.pk, "priority": "P1"})
    saved = SavedFilter.objects.get(agent=desk.alice)
    assert response["Location"] == f"/agent/filters/{saved.pk}/"
    assert (saved.name, saved.group, saved.priority, saved.view) == (
        "Support P1", desk.support, "P1", "open")
    page = client.get(f"/agent/filters/{saved.pk}/")
    assert rows(page) == [desk.ticket.subject]
    assert "<h1>Support P1</h1>" in page.content.decode()
    assert f'href="/agent/filters/{saved.pk}/"' in client.get("/agent/").content.decode()
    assert 'Support P1</span> <span class="count">1</span>' in counts(client)


def test_a_saved_filter_name_is_used_once_per_agent(desk):
    client = desk.client(desk.alice)
    client.post("/agent/filters/", {"name": "Mine", "view": "mine"})
    response = client.post("/agent/filters/", {"name": "Mine", "view": "breached"})
    assert response.status_code == 400
    assert "you already have a filter named" in response.content.decode()
    assert SavedFilter.objects.count() == 1
    # another agent may use the same name
    desk.client(desk.maria).post("/agent/filters/", {"name": "Mine", "view": "mine"})
    assert SavedFilter.objects.count() == 2


def test_an_empty_name_is_refused_next_to_the_field(desk):
    response = desk.client(desk.alice).post("/agent/filters/", {"name": "  ", "view": "mine"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="filter-error"' in html and "name must not be empty" in html
    assert not SavedFilter.objects.exists()


def test_another_agents_filter_is_not_found(desk):
    saved = services.saved_filter_create(viewer=viewer_for(desk.alice.user), name="Mine",
                                         view="mine")
    maria = desk.client(desk.maria)
    assert maria.get(f"/agent/filters/{saved.pk}/").status_code == 404
    assert maria.post(f"/agent/filters/{saved.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    assert "Mine" not in counts(maria)
    desk.client(desk.alice).post(f"/agent/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_the_saved_filter_views_and_sorts_are_the_queues():
    assert list(services.VIEWS) == [slug for slug, _label in queues.VIEWS]
    assert list(services.SORTS) == list(queues.SORTS)
