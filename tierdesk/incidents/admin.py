"""Read-only admin: incident changes go through the services (timeline, mail, audit)."""

from django.contrib import admin

from tierdesk.common.admin import ReadOnlyAdmin, ReadOnlyInline
from tierdesk.incidents.models import Incident, IncidentTicket, IncidentUpdate, PostIncidentReview


class LinkInline(ReadOnlyInline):
    model = IncidentTicket
    fields = ("ticket", "linked_by", "linked_at")
    raw_id_fields = ("ticket",)


class UpdateInline(ReadOnlyInline):
    model = IncidentUpdate
    fields = ("at", "status", "public", "body", "author", "notified")


class ReviewInline(admin.StackedInline):
    model = PostIncidentReview
    extra = 0
    can_delete = False
    fields = ("root_cause", "fix", "kb_article_url", "follow_ups", "author", "at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "severity", "status", "public", "started_at", "resolved_at")
    list_filter = ("status", "severity", "public")
    search_fields = ("title", "summary")
    inlines = [LinkInline, UpdateInline, ReviewInline]
