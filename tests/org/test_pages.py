"""The organisation pages: the chart as CSU draws it, and a manager changing an agent's
tier, groups and languages in the workspace."""

from django.test import Client

from tierdesk.people.models import Agent


def _client(agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def test_the_chart_page_shows_csu_boxes_and_who_holds_them(csu):
    page = _client(csu["al"]).get("/agent/org/").content.decode()
    for text in ("Customer Support Director", "Lead Technical Support", "Quality Assurance Lead",
                 "Knowledge Base Specialist", "CS Working Groups", "Voice of Customer Team",
                 "Tess Lead", "Security Director", "org-dotted"):
        assert text in page


def test_a_manager_changes_an_agents_tier_groups_and_languages(csu):
    from tierdesk.people.models import Tier

    response = _client(csu["mo"]).post(f"/agent/org/agents/{csu['al'].pk}/", {
        "action": "save", "role": "specialist", "tier": "T2", "email": "al@example.com",
        "groups": [str(csu["support"].pk)], "languages": "en fr", "is_active": "on"})
    assert response.status_code == 302
    al = Agent.objects.get(pk=csu["al"].pk)
    assert (al.role, al.tier, al.languages) == ("specialist", Tier.objects.get(code="T2"),
                                                ["en", "fr"])


def test_a_bad_language_is_shown_and_nothing_changes(csu):
    response = _client(csu["mo"]).post(f"/agent/org/agents/{csu['al'].pk}/", {
        "action": "save", "role": "agent", "languages": "en !!", "is_active": "on"})
    assert response.status_code == 400
    assert "is not a language code" in response.content.decode()
    assert Agent.objects.get(pk=csu["al"].pk).languages == []


def test_a_manager_adds_an_agent_and_places_them_on_the_chart(csu):
    mo = _client(csu["mo"])
    response = mo.post("/agent/org/agents/", {"username": "kim", "email": "kim@example.com",
                                              "name": "Kim Writer", "role": "kb_specialist",
                                              "languages": "en"})
    assert response.status_code == 302
    kim = Agent.objects.get(user__username="kim")
    mo.post(f"/agent/org/agents/{kim.pk}/", {"action": "place", "position": "kb_specialist"})
    assert "Kim Writer" in _client(csu["al"]).get("/agent/org/").content.decode()


def test_a_box_names_the_position_that_covers_it(csu):
    page = _client(csu["al"]).get("/agent/org/").content.decode()
    assert "Covered by: Customer Support Manager" in page
    assert "Covered by: manager<" not in page
