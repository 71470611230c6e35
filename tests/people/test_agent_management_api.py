"""Managers add agents and change their tiers, groups and languages through the API;
bad input is a 4xx naming the field, and nothing changes."""

from tierdesk.people.models import Agent, Tier


def test_manager_creates_an_agent_with_tier_groups_and_languages(world, api_as):
    Tier.objects.create(code="L2", name="Specialists")
    response = api_as(world.manager).post("/api/v1/agents", {
        "username": "nadia", "email": "nadia@example.com", "name": "Nadia Haddad",
        "role": "specialist", "tier": "L2", "group_ids": [world.group.pk],
        "languages": ["en", "ar"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["role"], body["tier"], body["group_ids"],
            body["languages"]) == ("nadia", "specialist", "L2", [world.group.pk], ["en", "ar"])
    assert body["name"] == "Nadia Haddad"


def test_manager_moves_an_agent_to_another_tier_group_and_language_set(world, api_as):
    Tier.objects.create(code="L2", name="Specialists")
    response = api_as(world.manager).patch(f"/api/v1/agents/{world.agent.pk}", {
        "tier": "L2", "group_ids": [world.other_group.pk], "languages": ["es"],
        "role": "specialist"})
    assert response.status_code == 200, response.content
    agent = Agent.objects.get(pk=world.agent.pk)
    assert agent.tier.code == "L2" and agent.role == "specialist"
    assert list(agent.groups.all()) == [world.other_group]
    assert agent.languages == ["es"]


def test_an_unknown_tier_is_refused_naming_the_field_and_nothing_changes(world, api_as):
    response = api_as(world.manager).patch(f"/api/v1/agents/{world.agent.pk}",
                                           {"tier": "L9", "languages": ["fr"]})
    assert response.status_code == 400
    assert response.json()["field"] == "tier"
    assert Agent.objects.get(pk=world.agent.pk).languages == []


def test_a_bad_language_code_is_refused_with_its_index(world, api_as):
    response = api_as(world.manager).post("/api/v1/agents", {
        "username": "x1", "email": "x1@example.com", "languages": ["en", "English!"]})
    assert response.status_code == 400
    assert response.json()["field"] == "languages[1]"
    assert not Agent.objects.filter(user__username="x1").exists()


def test_an_unknown_role_or_group_is_refused(world, api_as):
    api = api_as(world.manager)
    bad_role = api.post("/api/v1/agents", {"username": "x2", "email": "x2@example.com",
                                           "role": "wizard"})
    assert bad_role.status_code == 422 and bad_role.json()["field"] == "role"
    bad_group = api.post("/api/v1/agents", {"username": "x3", "email": "x3@example.com",
                                            "group_ids": [999999]})
    assert bad_group.status_code == 400 and bad_group.json()["field"] == "group_ids"


def test_a_taken_username_is_a_conflict(world, api_as):
    response = api_as(world.manager).post("/api/v1/agents",
                                          {"username": "alice", "email": "a@example.com"})
    assert response.status_code == 409
    assert response.json()["field"] == "username"


def test_agents_cannot_manage_agents(world, api_as):
    api = api_as(world.agent)
    assert api.post("/api/v1/agents", {"username": "x4", "email": "x4@example.com"}
                    ).status_code == 403
    assert api.patch(f"/api/v1/agents/{world.agent.pk}", {"role": "director"}
                     ).status_code == 403
    assert Agent.objects.get(pk=world.agent.pk).role == "agent"
