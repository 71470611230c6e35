import pytest

from tests.conftest import Api
from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, UserFactory
from tierdesk.packs.services import pack_apply
from tierdesk.people.models import Group, Role, Tier
from tierdesk.policy import PACKS_DIR


@pytest.fixture
def apply_pack(db):
    def apply(name: str):
        return pack_apply(source=(PACKS_DIR / f"{name}.yaml").read_text()).version

    return apply


@pytest.fixture
def staff(db):
    """Agents per tier and role; created after the pack so its tiers and queues exist."""

    def make(**tiers_by_username):
        made = {}
        for username, (role, tier, group_codes) in tiers_by_username.items():
            agent = AgentFactory(
                user=UserFactory(username=username, email=f"{username}@support.example"),
                role=role, tier=Tier.objects.filter(code=tier).first() if tier else None)
            groups = [Group.objects.get_or_create(code=c, defaults={"name": c})[0]
                      for c in group_codes]
            agent.groups.set(groups)
            made[username] = agent
        return made

    return make


@pytest.fixture
def contact(db):
    org = OrganisationFactory(external_id="C-1", plan="Enterprise", country="US",
                              timezone="America/New_York")
    return ContactFactory(organisation=org, email="client@customer.example")


@pytest.fixture
def api():
    return lambda agent: Api(agent.user)


MANAGER = Role.SUPPORT_MANAGER
