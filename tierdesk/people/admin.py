from django.contrib import admin

from tierdesk.people.models import Agent, ApiToken, Group, OnCallShift, Tier


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "tier", "is_active")
    list_filter = ("role", "tier", "is_active")
    filter_horizontal = ("groups",)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "rank")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "tier", "timezone")


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ("group", "agent", "starts_at", "ends_at")
    list_filter = ("group",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `tierdesk token create`; the admin can only revoke them."""

    list_display = ("prefix", "name", "user", "created_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
