"""Fire22 "Hierarchy Integration": POST /api/hierarchy/query {"department": "Customer
Support"} answers the Team Structure: leadership, management and the team size."""

from tests.factories import AgentFactory, UserFactory


def test_fire22_example_request_answers_leadership_management_and_22_members(fire22, api_as):
    response = api_as(fire22["team"][0]).post("/api/v1/hierarchy/query",
                                              {"department": "Customer Support"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["department"] == "Customer Support"
    assert [(p["name"], p["position"]) for p in body["leadership"]] == [
        ("Amanda Rodriguez", "Customer Success Director")]
    assert [(p["name"], p["position"], p["reports_to"]) for p in body["management"]] == [
        ("James Wilson", "Support Manager", ["Amanda Rodriguez"])]
    assert body["team_size"] == 22
    assert body["declared_team_size"] == 22
    director = body["structure"][0]
    assert director["team_size"] == 22  # "22 direct and indirect reports" (and herself)
    manager = director["reports"][0]
    assert manager["name"] == "Support Manager"
    assert manager["team_size"] == 21
    assert manager["reports"][0]["team_size"] == 20


def test_department_name_is_matched_regardless_of_case_and_aliases(fire22, api_as):
    api = api_as(fire22["james"])
    assert api.post("/api/v1/hierarchy/query",
                    {"department": "customer  support"}).status_code == 200
    assert api.post("/api/v1/hierarchy/query",
                    {"department": "Customer Success"}).status_code == 200


def test_unknown_department_is_a_404_naming_the_field_and_the_known_names(fire22, api_as):
    response = api_as(fire22["james"]).post("/api/v1/hierarchy/query",
                                            {"department": "Finance"})
    assert response.status_code == 404
    assert response.json()["field"] == "department"
    assert "Customer Support" in response.json()["message"]


def test_missing_department_is_refused_with_the_field_named(fire22, api_as):
    response = api_as(fire22["james"]).post("/api/v1/hierarchy/query", {})
    assert response.status_code == 422
    assert response.json()["field"] == "department"


def test_a_deactivated_member_no_longer_counts_towards_the_team_size(fire22, api_as):
    rep = fire22["team"][0]
    manager = api_as(fire22["james"])
    assert manager.patch(f"/api/v1/agents/{rep.pk}", {"is_active": False}).status_code == 200
    body = manager.post("/api/v1/hierarchy/query", {"department": "Customer Support"}).json()
    assert body["team_size"] == 21


def test_customers_cannot_query_the_hierarchy(fire22, api_as):
    from tests.factories import CustomerContactFactory

    customer = CustomerContactFactory(user=UserFactory(username="punter"))
    response = api_as(customer.user).post("/api/v1/hierarchy/query",
                                          {"department": "Customer Support"})
    assert response.status_code == 403


def test_an_agent_placed_by_a_manager_through_the_api_appears_in_the_team(fire22, api_as):
    newcomer = AgentFactory(user=UserFactory(username="newcomer"))
    manager = api_as(fire22["james"])
    placed = manager.post("/api/v1/org/positions/support_team/holders",
                          {"agent_id": newcomer.pk})
    assert placed.status_code == 201, placed.content
    body = manager.post("/api/v1/hierarchy/query", {"department": "Customer Support"}).json()
    assert body["team_size"] == 23
    unknown = manager.post("/api/v1/org/positions/janitor/holders", {"agent_id": newcomer.pk})
    assert unknown.status_code == 404 and unknown.json()["field"] == "position"
