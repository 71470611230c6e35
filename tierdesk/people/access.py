"""Who may do what (DESIGN.md, "Who may do what"), in one place.

A customer sees only its organisation's tickets; an agent sees the queues of its groups
(and what is assigned to it); managers, directors and admins see everything.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from tierdesk.customers.models import Contact
from tierdesk.people.models import Agent


@dataclass(frozen=True)
class Viewer:
    """The resolved identity behind a request: an agent, a customer contact, or neither."""

    user: AbstractBaseUser | None
    agent: Agent | None
    contact: Contact | None
    system: bool = False  # the platform itself (rules, sweeps): acts with agent rights

    @property
    def is_agent(self) -> bool:
        return self.system or (self.agent is not None and self.agent.is_active)

    @property
    def is_manager(self) -> bool:
        return self.system or (self.is_agent and self.agent.is_manager)

    @property
    def is_customer(self) -> bool:
        return not self.is_agent and self.contact is not None

    @property
    def organisation_id(self) -> int | None:
        return self.contact.organisation_id if self.contact else None


SYSTEM = Viewer(user=None, agent=None, contact=None, system=True)


def viewer_for(user: AbstractBaseUser) -> Viewer:
    """Return the viewer for ``user`` in at most one query (agent and contact joined)."""
    if hasattr(user, "_cached_agent"):
        agent = user._cached_agent
    else:
        agent = Agent.objects.filter(user=user).first()
        user._cached_agent = agent
    contact = None
    if agent is None:
        contact = Contact.objects.filter(user=user).select_related("organisation").first()
    return Viewer(user=user, agent=agent, contact=contact)


def agent_group_ids(agent: Agent) -> list[int]:
    cached = getattr(agent, "_group_ids", None)
    if cached is None:
        cached = list(agent.groups.values_list("id", flat=True))
        agent._group_ids = cached
    return cached
