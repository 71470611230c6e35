from django.contrib import admin

from tierdesk.common.admin import ReadOnlyAdmin
from tierdesk.escalation.models import Escalation


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    """Escalations are made by the escalation service (the pack's paths, criteria, handoff
    and a queue someone works, with their events); here they are only browsed."""

    list_display = ("ticket", "direction", "from_tier", "to", "actor", "at")
    list_filter = ("direction", "to")
