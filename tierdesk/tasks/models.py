"""A piece of work owed by a role or a person by a time: approve a routed refund, call
back a dissatisfied customer. Any app creates them (with a ``key`` so a retried sweep
makes no second one); the workspace lists them to whoever holds the role."""

from django.conf import settings
from django.db import models

from tierdesk.people.models import Agent
from tierdesk.tickets.models import Ticket


class Task(models.Model):
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    # Who owes it: a platform role (everyone holding it sees it), or one agent, or both.
    role = models.CharField(max_length=32, blank=True, db_index=True)
    assignee = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="tasks")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="tasks")
    due_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=32, help_text="The app that made it: refunds, surveys")
    key = models.CharField(max_length=200, unique=True,
                           help_text="What it is for, e.g. survey:12:follow_up: one task each")
    url = models.CharField(max_length=300, blank=True, help_text="Where to do it")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["role", "done_at", "due_at"], name="task_open_by_role")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
