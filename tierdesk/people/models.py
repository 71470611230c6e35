"""Agents, their roles and tiers, the groups (queues) they work, and who is on call."""

import hashlib

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "Agent (L1)"
    SPECIALIST = "specialist", "Specialist (L2)"
    ENGINEER = "engineer", "Engineer (L3)"
    SUPPORT_MANAGER = "support_manager", "Support manager"
    FINANCE_DIRECTOR = "finance_director", "Finance director"
    QA_LEAD = "qa_lead", "QA lead"
    KB_SPECIALIST = "kb_specialist", "Knowledge base specialist"
    DIRECTOR = "director", "Director"
    ADMIN = "admin", "Administrator"


# Roles that see every queue (DESIGN.md, "Who may do what": managers see all).
MANAGER_ROLES = frozenset({Role.SUPPORT_MANAGER, Role.DIRECTOR, Role.ADMIN})


class Tier(models.Model):
    """A support tier as the active pack names it (L0-L3, Tier 1/Tier 2/Engineering...)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(default=0, help_text="0 = first line")

    class Meta:
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.code


class Group(models.Model):
    """A queue of work owned by a team; agents see the tickets of their groups."""

    name = models.CharField(max_length=100, unique=True)
    code = models.SlugField(
        max_length=64, unique=True, null=True, blank=True,
        help_text="The pack's name for it: a unit (security) or on-call rotation group",
    )
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """The support side of a login user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.AGENT)
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True)
    groups = models.ManyToManyField(Group, related_name="agents", blank=True)
    languages = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


class OnCallShift(models.Model):
    """One agent on call for one group over [starts_at, ends_at)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="on_call_shifts")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="on_call_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["group", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="on_call_shift_positive"
            )
        ]


class ApiToken(models.Model):
    """A per-user API token; only its SHA-256 is stored, the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise it")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
