from django.contrib import admin

from tierdesk.common.admin import ReadOnlyAdmin, ReadOnlyInline
from tierdesk.outbox.models import DeliveryAttempt, OutboxMessage


class AttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ("attempted_at", "ok", "error")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Messages are queued by the services and delivered by the worker, with retries."""

    list_display = ("id", "kind", "state", "attempts", "next_attempt_at", "ticket_id")
    list_filter = ("kind", "state")
    inlines = [AttemptInline]
