"""Admin pieces shared by the apps whose records change only through services."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Show related rows (messages, events, timeline) without letting the admin edit them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
