"""Which tickets came from an import, under which external id: what makes a re-import of
the same line a no-op."""

from django.conf import settings
from django.db import models

from tierdesk.tickets.models import Ticket


class ImportedTicket(models.Model):
    """One imported ticket. ``fingerprint`` (SHA-256 of the validated line) tells a repeat
    of the same line (skipped) from a changed one (a conflict)."""

    external_id = models.CharField(max_length=255, unique=True)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="import_record")
    fingerprint = models.CharField(max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField(help_text="When the import ran (not the ticket's time)")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.external_id} -> #{self.ticket_id}"
