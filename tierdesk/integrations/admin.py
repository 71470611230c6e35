from django.contrib import admin

from tierdesk.common.admin import ReadOnlyAdmin
from tierdesk.integrations.models import JiraLink


@admin.register(JiraLink)
class JiraLinkAdmin(ReadOnlyAdmin):
    """Read-only: links change only through delivery and Jira's webhook (audited)."""

    list_display = ("issue_key", "ticket", "status", "updated_at")
    search_fields = ("issue_key",)
