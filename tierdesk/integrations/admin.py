from django.contrib import admin

from tierdesk.integrations.models import JiraLink


@admin.register(JiraLink)
class JiraLinkAdmin(admin.ModelAdmin):
    """Read-only: links change only through delivery and Jira's webhook (audited)."""

    list_display = ("issue_key", "ticket", "status", "updated_at")
    search_fields = ("issue_key",)
    readonly_fields = ("ticket", "issue_key", "status", "outbox_message_id", "created_at",
                       "updated_at")

    def has_add_permission(self, request) -> bool:
        return False
