"""A DataFlow desk with a knowledge base: Alice writes (agent), Maria reviews accuracy and
publishes (support manager), Dora reviews compliance (director), and customers of
organisation 1018 speak English or Spanish."""

from dataclasses import dataclass

import pytest

from tests.factories import AgentFactory, CustomerContactFactory, OrganisationFactory, UserFactory
from tierdesk.kb import services
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR


@dataclass
class Team:
    alice: object
    maria: object
    dora: object
    kim: object
    customer: object
    spanish_customer: object

    def v(self, persona):
        return viewer_for(persona.user)


def apply_pack(name: str):
    return pack_apply(source=(PACKS_DIR / f"{name}.yaml").read_text()).version


@pytest.fixture
def dataflow(db):
    return apply_pack("dataflow")


@pytest.fixture
def team(db) -> Team:
    org = OrganisationFactory(name="Redwood Bank", external_id="1018", plan="Enterprise")
    return Team(
        alice=AgentFactory(user=UserFactory(username="alice")),
        maria=AgentFactory(user=UserFactory(username="maria"), role=Role.SUPPORT_MANAGER),
        dora=AgentFactory(user=UserFactory(username="dora"), role=Role.DIRECTOR),
        kim=AgentFactory(user=UserFactory(username="kim"), role=Role.KB_SPECIALIST),
        customer=CustomerContactFactory(organisation=org, user=UserFactory(username="c1018")),
        spanish_customer=CustomerContactFactory(organisation=org, language="es",
                                                user=UserFactory(username="c1018es")),
    )


def publish(team: Team, *, title: str, body: str, language: str = "en", codes=(),
            category: str = "", visibility: str = "public", more: dict | None = None):
    """Write, review (every step of the active pack) and publish an article."""
    from tierdesk.kb import policy

    article = services.article_create(viewer=team.v(team.alice), language=language,
                                      title=title, body=body, error_codes=codes,
                                      category=category, visibility=visibility)
    for lang, (t, b) in (more or {}).items():
        article = services.article_edit(viewer=team.v(team.alice), article=article,
                                        language=lang, title=t, body=b)
    services.article_submit(viewer=team.v(team.alice), article=article)
    for step in policy.knowledge().reviews:
        reviewer = team.dora if step.code == "compliance" else (
            team.kim if "kb_specialist" in step.roles else team.maria)
        services.article_review(viewer=team.v(reviewer), article=article, step=step.code,
                                approve=True)
    publisher = team.kim if "kb_specialist" in policy.knowledge().publishers else team.maria
    return services.article_publish(viewer=team.v(publisher), article=article)
