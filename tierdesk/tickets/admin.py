"""Read-mostly admin: ticket changes go through the services (and the audit log)."""

from django.contrib import admin

from tierdesk.common.admin import ReadOnlyAdmin, ReadOnlyInline
from tierdesk.tickets.models import Message, Ticket, TicketEvent


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("kind", "author", "body_text", "created_at")


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ("type", "actor", "data", "created_at")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "status", "priority", "organisation", "group", "assignee",
                    "created_at")
    list_filter = ("status", "priority", "channel", "group")
    search_fields = ("subject", "error_code")
    list_select_related = ("organisation", "group", "assignee__user")
    inlines = [MessageInline, EventInline]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    """The audit log: append-only, written by the services alone."""

    list_display = ("id", "ticket", "type", "actor", "created_at")
    list_filter = ("type",)
    raw_id_fields = ("ticket",)
