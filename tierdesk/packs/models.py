"""Applied versions of policy packs: the handbook an instance enforces, kept for audit."""

from django.conf import settings
from django.db import models


class PolicyPackVersion(models.Model):
    """One applied version of a pack; exactly one row is active per instance."""

    name = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    source = models.TextField(help_text="The YAML as applied")
    sha256 = models.CharField(max_length=64)
    is_active = models.BooleanField(default=False)
    applied_at = models.DateTimeField()
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="pack_version_unique"),
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_pack"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
