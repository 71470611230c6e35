from django.contrib import admin

from tierdesk.outbox.models import DeliveryAttempt, OutboxMessage


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ("attempted_at", "ok", "error")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "state", "attempts", "next_attempt_at", "ticket_id")
    list_filter = ("kind", "state")
    readonly_fields = ("kind", "payload", "ticket_id", "attempts", "created_at", "delivered_at",
                       "last_error")
    inlines = [AttemptInline]
