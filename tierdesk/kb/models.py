"""Knowledge-base articles with their language versions and revisions, the reviews that
let one be published, readers' feedback, KB tasks, handle-time sessions and the L0 bot's
conversations."""

from django.conf import settings
from django.db import models

from tierdesk.people.models import Agent
from tierdesk.tickets.models import Ticket

LANGUAGES = (("en", "English"), ("ar", "العربية"), ("es", "Español"), ("fr", "Français"))


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        IN_REVIEW = "in_review"
        PUBLISHED = "published"
        ARCHIVED = "archived"

    class Visibility(models.TextChoices):
        PUBLIC = "public"  # the portal, the bot and every agent
        INTERNAL = "internal"  # agents only (sensitive issues such as security)

    category = models.CharField(max_length=64, blank=True)
    error_codes = models.JSONField(default=list, blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", null=True, blank=True)
    review_round = models.PositiveIntegerField(default=0, help_text="Counts submissions")
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    views = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return f"KB-{self.pk}"

    @property
    def reference(self) -> str:
        return f"KB-{self.pk}"

    @property
    def is_public(self) -> bool:
        return (self.status == self.Status.PUBLISHED
                and self.visibility == self.Visibility.PUBLIC)


class Translation(models.Model):
    """One language version of an article: what is searched and read."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=LANGUAGES)
    title = models.CharField(max_length=300)
    body_md = models.TextField()
    body_html = models.TextField(help_text="markdown-it-py output sanitised with nh3")
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["article_id", "language"]
        constraints = [models.UniqueConstraint(fields=["article", "language"],
                                               name="one_version_per_language")]
        indexes = [models.Index(fields=["language", "article"])]

    @property
    def is_rtl(self) -> bool:
        return self.language == "ar"


class Revision(models.Model):
    """Every saved state of a language version, for the history and its diffs."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE,
                                    related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body_md = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["translation_id", "number"]
        constraints = [models.UniqueConstraint(fields=["translation", "number"],
                                               name="revision_numbers_unique")]


class Review(models.Model):
    """A reviewer's decision on one of the pack's review steps, in one review round."""

    class Decision(models.TextChoices):
        APPROVED = "approved"
        CHANGES = "changes_requested"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveIntegerField()
    step = models.CharField(max_length=64)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class ArticleEvent(models.Model):
    """The article's audit log (created, edited, submitted, reviewed, published...)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class MonthlyStat(models.Model):
    """Views and "did this help?" answers per article, language and month (reports)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="stats")
    month = models.CharField(max_length=7)  # YYYY-MM
    language = models.CharField(max_length=8)
    views = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "month", "language"],
                                               name="one_stat_row_per_month")]


class Feedback(models.Model):
    """One reader's "did this help?" answer, with an optional comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(max_length=8)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                             related_name="+", null=True, blank=True)
    created_at = models.DateTimeField()


class KbTask(models.Model):
    """Work the handbook asks for: write (or review) an article, by a due date."""

    class Kind(models.TextChoices):
        HANDLE_TIME = "handle_time"  # NexaCore: > 1 h on a repeatable problem
        RECURRING_CODE = "recurring_code"  # DataFlow: > 10 tickets / month for a code
        REQUESTED = "requested"  # a pack rule or a person asked for one
        REVIEW = "review"  # DataFlow: "Managers: Review updates weekly for accuracy."

    class State(models.TextChoices):
        OPEN = "open"
        DONE = "done"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    title = models.CharField(max_length=300)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    error_code = models.CharField(max_length=32, blank=True)
    month = models.CharField(max_length=7, blank=True)  # YYYY-MM for recurring codes
    assignee = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="kb_tasks")
    role = models.CharField(max_length=32, blank=True)
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="tasks")
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["error_code", "month"],
                                    condition=models.Q(kind="recurring_code"),
                                    name="one_recurring_code_task_per_month"),
            models.UniqueConstraint(fields=["ticket", "assignee"],
                                    condition=models.Q(kind="handle_time"),
                                    name="one_handle_time_task_per_agent_ticket"),
            # One per review round: the round's submission fixes its due date.
            models.UniqueConstraint(fields=["article", "due_at"],
                                    condition=models.Q(kind="review"),
                                    name="one_review_task_per_round"),
        ]


class HandleSession(models.Model):
    """An agent's active time on a ticket, gathered from heartbeats and written to the
    ticket's audit log as ``time_logged`` events in chunks (never one per heartbeat)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_beat_at = models.DateTimeField(db_index=True)
    seconds = models.PositiveIntegerField(default=0, help_text="Not yet logged")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "agent"],
                                               name="one_handle_session")]


class SweepCursor(models.Model):
    """How far a KB sweep has read an append-only table (the last event id seen)."""

    name = models.CharField(max_length=64, unique=True)
    last_id = models.BigIntegerField(default=0)


class BotConversation(models.Model):
    """One question to the L0 bot and how it ended."""

    class Outcome(models.TextChoices):
        OPEN = "open"  # articles offered, awaiting "did this solve it?"
        DEFLECTED = "deflected"  # the customer said yes: no agent needed
        HANDED_OFF = "handed_off"  # a ticket for L1 with the transcript

    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE,
                                related_name="+")
    language = models.CharField(max_length=8)
    question = models.TextField()
    transcript = models.JSONField(default=list)
    articles = models.JSONField(default=list)  # ids offered, best first
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    handoff_reason = models.CharField(max_length=200, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
