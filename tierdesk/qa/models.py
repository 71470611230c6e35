"""QA reviews: the weekly sample queued for review, and the scored reviews."""

from django.db import models

from tierdesk.people.models import Agent
from tierdesk.tickets.models import Ticket


class ReviewItem(models.Model):
    """One sampled solved ticket waiting for ``reviews_needed`` reviewers (2: calibration)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="qa_items")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="qa_items",
                              help_text="Whose work is reviewed: the ticket's assignee")
    week = models.DateField(help_text="Monday of the week the sample was drawn")
    scorecard = models.CharField(max_length=64)
    reviews_needed = models.PositiveSmallIntegerField(default=1)
    reviews_done = models.PositiveSmallIntegerField(default=0)
    sampled_at = models.DateTimeField()

    class Meta:
        ordering = ["week", "id"]
        indexes = [models.Index(fields=["agent", "week"])]
        constraints = [models.UniqueConstraint(fields=["ticket"], name="qa_ticket_sampled_once")]

    @property
    def calibration(self) -> bool:
        return self.reviews_needed > 1

    @property
    def open(self) -> bool:
        return self.reviews_done < self.reviews_needed


class Review(models.Model):
    """A reviewer's scores for one ticket: ``scores`` {criterion: 1..scale}, ``comments``
    {criterion: text}, the weighted ``total`` as a percentage."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="reviews",
                             null=True, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="qa_reviews")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="qa_reviews")
    reviewer = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="qa_reviews_given")
    scorecard = models.CharField(max_length=64)
    scale = models.PositiveSmallIntegerField()
    scores = models.JSONField(default=dict)
    comments = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    total = models.FloatField()
    passed = models.BooleanField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agent", "-created_at"])]
        constraints = [models.UniqueConstraint(fields=["ticket", "reviewer"],
                                               name="qa_one_review_per_reviewer")]
