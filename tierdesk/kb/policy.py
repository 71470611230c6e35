"""The active pack's knowledge-base section, and who holds which of its roles."""

from typing import Any

from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.policy.schema_knowledge import ARTICLE_LANGUAGES, Knowledge, ReviewStep

# Without a pack (or a pack silent on its KB): one review by a KB specialist or manager.
DEFAULT = Knowledge(reviews=[ReviewStep(code="review", label="Review",
                                        roles=["kb_specialist", "support_manager"])])


def knowledge(pack: Any = None) -> Knowledge:
    """Return the KB section of ``pack`` (a caller that has read the active pack already
    passes it: each read is a query outside a transaction), else of the active pack."""
    pack = pack if pack is not None else active_pack()
    return (pack.knowledge if pack is not None and pack.knowledge else None) or DEFAULT


def languages(pack: Any = None) -> list[str]:
    """Return the article languages the pack asks for (every supported one without)."""
    pack = pack if pack is not None else active_pack()
    policy = knowledge(pack)
    if policy.languages:
        return list(policy.languages)
    if pack is not None:
        return [lang for lang in pack.languages if lang in ARTICLE_LANGUAGES] or ["en"]
    return list(ARTICLE_LANGUAGES)


def roles_of(viewer: Viewer) -> set[str]:
    """Return the viewer's platform role and every pack role based on it (``cto`` is a
    ``director``). The system viewer holds no role: it never reviews or publishes."""
    if viewer.agent is None or not viewer.is_agent:
        return set()
    role = str(viewer.agent.role)
    held = {role}
    pack = active_pack()
    for pack_role in (pack.roles if pack is not None else []):
        if pack_role.based_on == role or pack_role.code == role:
            held.add(pack_role.code)
            if pack_role.based_on:
                held.add(pack_role.based_on)
    return held


def holds(viewer: Viewer, roles: list[str]) -> bool:
    """Return whether the viewer holds one of ``roles`` (an administrator holds all)."""
    held = roles_of(viewer)
    return bool(held & set(roles)) or "admin" in held


def may_write(viewer: Viewer) -> bool:
    writers = knowledge().writers
    return viewer.is_agent and (not writers or holds(viewer, writers)
                                or holds(viewer, knowledge().publishers))


def may_publish(viewer: Viewer) -> bool:
    return viewer.is_agent and holds(viewer, knowledge().publishers)


def may_review(viewer: Viewer) -> bool:
    return viewer.is_agent and any(holds(viewer, s.roles) for s in knowledge().reviews)


def sees_overdue(viewer: Viewer) -> bool:
    return viewer.is_agent and holds(viewer, knowledge().overdue_visible_to)
