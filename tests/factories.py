"""Factories for the personas and records the tests talk about."""

import factory
from django.contrib.auth import get_user_model

from tierdesk import clock
from tierdesk.customers.models import Contact, Organisation
from tierdesk.people.models import Agent, Group, Role, Tier
from tierdesk.tickets import search
from tierdesk.tickets.models import Message, Ticket


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    external_id = factory.Sequence(lambda n: f"ORG-{n}")
    plan = "Enterprise"
    country = "US"
    timezone = "America/New_York"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example.com")


class CustomerContactFactory(ContactFactory):
    """A contact who can log in (portal / API)."""

    user = factory.SubFactory(UserFactory)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("code",)

    code = "L1"
    name = "Support agents"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Queue {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Role.AGENT

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(extracted)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    subject = factory.Sequence(lambda n: f"Problem {n}")
    requester = factory.SubFactory(ContactFactory)
    organisation = factory.LazyAttribute(lambda t: t.requester.organisation)
    priority = "P2"
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)

    @factory.post_generation
    def indexed(self, create, extracted, **kwargs):
        """In the search index, as the ticket services would leave it."""
        if create:
            search.index_ticket(self)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message
        skip_postgeneration_save = True

    ticket = factory.SubFactory(TicketFactory)
    kind = Message.Kind.REPLY
    body_text = "Hello"
    created_at = factory.LazyFunction(clock.now)

    @factory.post_generation
    def indexed(self, create, extracted, **kwargs):
        if create:
            search.index_ticket(self.ticket)
