"""Who speaks the ticket's language: the agents a ticket in Arabic should go to."""

from django.db.models import QuerySet

from tierdesk.people.models import Agent


def speakers(*, language: str, agents: QuerySet[Agent] | None = None) -> QuerySet[Agent]:
    """Return the active agents who list ``language`` among theirs (``Agent.languages``)."""
    agents = agents if agents is not None else Agent.objects.all()
    rows = agents.filter(is_active=True).values_list("pk", "languages")
    wanted = language.lower()
    ids = [pk for pk, langs in rows if wanted in [str(x).lower() for x in (langs or [])]]
    return agents.filter(pk__in=ids).select_related("user")
