"""Records the KB authorization matrices act on (no pack active: one review step by a KB
specialist or support manager, who also publish)."""

from tests.factories import AgentFactory, UserFactory
from tierdesk.kb import bot, services
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role


def kb_ids(world) -> dict:
    writer = viewer_for(AgentFactory(user=UserFactory(username="wanda")).user)
    kim = viewer_for(AgentFactory(user=UserFactory(username="kim"), role=Role.KB_SPECIALIST).user)

    def article(title, visibility="public", until="published"):
        a = services.article_create(viewer=writer, language="en", title=title,
                                    body=f"{title} body", visibility=visibility,
                                    error_codes=["DS-1001"])
        if until == "draft":
            return a
        services.article_submit(viewer=writer, article=a)
        if until == "in_review":
            return a
        services.article_review(viewer=kim, article=a, step="review", approve=True)
        if until == "approved":
            return a
        return services.article_publish(viewer=kim, article=a)

    ids = {
        "article": article("Public article credentials").pk,
        "internal": article("Internal runbook", visibility="internal").pk,
        "draft": article("Draft article", until="draft").pk,
        "in_review": article("Article in review", until="in_review").pk,
        "approved": article("Approved article", until="approved").pk,
        "ticket": world.ticket.pk, "step": "review",
    }
    ids["conversation"] = bot.bot_ask(viewer=viewer_for(world.customer.user),
                                      question="public article credentials").pk
    return ids
