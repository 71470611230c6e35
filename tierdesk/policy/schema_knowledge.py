"""The knowledge-base section of a pack: who reviews and publishes articles, which
articles stay internal, the handbook rules that ask for an article (KB tasks), who sees
overdue KB tasks, and how the L0 bot hands off.

Pure pydantic like the rest of the pack; the KB app (``tierdesk.kb``) enforces it.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from .schema_calendar import Strict
from .schema_rules import Duration, StrList

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
ARTICLE_LANGUAGES = ("en", "ar", "es", "fr")


class ReviewStep(Strict):
    """One sign-off an article needs before it may be published, by one of ``roles``."""

    code: str = Field(pattern=SLUG)
    label: str
    roles: StrList = Field(min_length=1)


class HandleTimeTask(Strict):
    """A KB task for the agent who spent more than ``more_than`` on a ticket carrying
    one of ``tags`` (NexaCore's "more than 1 hour ... repeatable problem")."""

    more_than: Duration
    tags: StrList = Field(default_factory=list)
    due_in: Duration | None = None


class RecurringCodeTask(Strict):
    """A KB task when one error code has more than ``more_than`` tickets in a calendar
    month (in the pack's time zone), due ``due_in`` after the ticket that crossed it."""

    more_than: int = Field(ge=1)
    due_in: Duration
    role: str | None = None  # who writes it; left out = any KB writer


class Bot(Strict):
    """The L0 bot: how many articles it offers and when it hands off to a person."""

    handoff_tier: str | None = None
    max_articles: int = Field(3, ge=1, le=10)
    # A question whose error code or classification lands on one of these priorities goes
    # straight to a person (the pack's classification keywords decide, e.g. P0 outage).
    urgent_priorities: StrList = Field(default_factory=list)


class Knowledge(Strict):
    languages: StrList | None = None  # article languages; left out = the pack's languages
    reviews: list[ReviewStep] = Field(default_factory=list)
    review_within: Duration | None = None  # an article waits at most this long for review
    writers: StrList = Field(default_factory=list)  # left out = every agent
    publishers: StrList = Field(default_factory=lambda: ["kb_specialist", "support_manager"])
    internal_categories: StrList = Field(default_factory=list)
    handle_time_task: HandleTimeTask | None = None
    recurring_code_task: RecurringCodeTask | None = None
    overdue_visible_to: StrList = Field(
        default_factory=lambda: ["kb_specialist", "support_manager"])
    bot: Bot | None = None

    @model_validator(mode="after")
    def _known_languages(self) -> Knowledge:
        for lang in self.languages or []:
            if lang not in ARTICLE_LANGUAGES:
                raise ValueError(f"article language {lang!r} is not one of "
                                 f"{', '.join(ARTICLE_LANGUAGES)}")
        codes = [step.code for step in self.reviews]
        if len(set(codes)) != len(codes):
            raise ValueError("review step codes must be unique")
        return self
