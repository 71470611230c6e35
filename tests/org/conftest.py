"""Fire22's department as its handbook draws it: Amanda Rodriguez (Customer Success
Director), James Wilson (Support Manager, reports to Amanda) and 20 specialists and
representatives: "Team Size: 22 total members"."""

import pytest

from tests.factories import AgentFactory, UserFactory
from tierdesk.org.services import placement_add
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR


def apply(name: str):
    return pack_apply(source=(PACKS_DIR / f"{name}.yaml").read_text()).version


@pytest.fixture
def fire22(db):
    version = apply("fire22")
    from tierdesk.packs.selectors import active_pack

    pack = active_pack()
    amanda = AgentFactory(user=UserFactory(username="amanda.rodriguez", first_name="Amanda",
                                           last_name="Rodriguez",
                                           email="amanda.rodriguez@fire22.ag"),
                          role=Role.DIRECTOR)
    james = AgentFactory(user=UserFactory(username="james.wilson", first_name="James",
                                          last_name="Wilson"), role=Role.SUPPORT_MANAGER)
    boss = viewer_for(amanda.user)
    placement_add(viewer=boss, pack=pack, agent=amanda, position="customer_success_director")
    placement_add(viewer=boss, pack=pack, agent=james, position="support_manager")
    team = [AgentFactory(user=UserFactory(username=f"rep{i:02d}")) for i in range(20)]
    for agent in team:
        placement_add(viewer=boss, pack=pack, agent=agent, position="support_team")
    return {"version": version, "pack": pack, "amanda": amanda, "james": james, "team": team}


@pytest.fixture
def csu(db):
    """CSU's chart staffed: Dana (Director), Mo (Manager), Tess (Lead Technical Support,
    a specialist), Sid (another specialist, not a lead), Quinn (QA Lead), Rita (Risk
    Manager, in Risk Management), Sam (Security Director) and Al, a Tier 1 agent in the
    Support queue."""
    from tests.factories import CustomerContactFactory, GroupFactory
    from tierdesk.packs.selectors import active_pack
    from tierdesk.people.models import Tier

    version = apply("csu")
    pack = active_pack()
    t1 = Tier.objects.get(code="T1")
    support = GroupFactory(name="Support", tier=t1)

    def person(username, role, position=None, **kw):
        first, _, last = username.partition(" ")
        agent = AgentFactory(user=UserFactory(username=first.lower(), first_name=first,
                                              last_name=last), role=role, **kw)
        if position:
            placement_add(viewer=viewer_for(dana.user) if position != "director" else
                          _system(), pack=pack, agent=agent, position=position)
        return agent

    dana = None
    dana = person("Dana Director", Role.DIRECTOR, "director")
    people = {
        "dana": dana,
        "mo": person("Mo Manager", Role.SUPPORT_MANAGER, "manager"),
        "tess": person("Tess Lead", Role.SPECIALIST, "lead_technical"),
        "sid": person("Sid Specialist", Role.SPECIALIST),
        "quinn": person("Quinn Reviewer", Role.QA_LEAD, "qa_lead"),
        "rita": person("Rita Risk", Role.AGENT, "risk_manager"),
        "sam": person("Sam Security", Role.AGENT, "security_director"),
        "al": person("Al Agent", Role.AGENT, "technical_team", tier=t1, groups=[support]),
    }
    customer = CustomerContactFactory(user=UserFactory(username="csucustomer"))
    return {"version": version, "pack": pack, "support": support, "customer": customer,
            **people}


def _system():
    from tierdesk.people.access import SYSTEM

    return SYSTEM
