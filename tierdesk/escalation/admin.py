from django.contrib import admin

from tierdesk.escalation.models import Escalation


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("ticket", "direction", "from_tier", "to", "actor", "at")
    list_filter = ("direction", "to")

    def has_change_permission(self, request, obj=None) -> bool:
        return False
