from django.contrib import admin

from tierdesk.common.admin import ReadOnlyAdmin
from tierdesk.packs.models import PolicyPackVersion


@admin.register(PolicyPackVersion)
class PolicyPackVersionAdmin(ReadOnlyAdmin):
    """Packs are applied with `tierdesk policy apply` (validated, audited): view only here."""

    list_display = ("name", "version", "is_active", "applied_at", "applied_by")
