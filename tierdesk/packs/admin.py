from django.contrib import admin

from tierdesk.packs.models import PolicyPackVersion


@admin.register(PolicyPackVersion)
class PolicyPackVersionAdmin(admin.ModelAdmin):
    """Packs are applied with `tierdesk policy apply` (validated, audited): view only here."""

    list_display = ("name", "version", "is_active", "applied_at", "applied_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
