"""Organisations that buy support, and the contacts who write in for them."""

from django.conf import settings
from django.db import models


class Organisation(models.Model):
    """A customer account; plan, country and time zone drive its SLA clock."""

    class ChurnRisk(models.TextChoices):
        LOW = "low"
        MEDIUM = "medium"
        HIGH = "high"

    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    plan = models.CharField(max_length=64, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2")
    timezone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=8, default="en")
    vip = models.BooleanField(default=False)
    churn_risk = models.CharField(max_length=8, choices=ChurnRisk.choices, default=ChurnRisk.LOW)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person who writes in; linked to a login user when they use the portal or API."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contacts", null=True, blank=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8, blank=True)
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
