"""People are configuration (who works which queue); tiers come from the pack and shifts
are added through the on-call service, with its overlap check."""

from django.contrib import admin

from tierdesk.common.admin import ReadOnlyAdmin, ServiceAdmin, ServiceForm
from tierdesk.people import services
from tierdesk.people.models import Agent, ApiToken, Group, OnCallShift, Tier


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "tier", "is_active")
    list_filter = ("role", "tier", "is_active")
    filter_horizontal = ("groups",)


@admin.register(Tier)
class TierAdmin(ReadOnlyAdmin):
    """Tiers are the active pack's (`tierdesk policy apply` keeps them in step)."""

    list_display = ("code", "name", "rank")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "tier", "timezone")


class OnCallShiftForm(ServiceForm):
    class Meta:
        model = OnCallShift
        fields = ("group", "agent", "starts_at", "ends_at")

    def service_check(self) -> None:
        data = self.cleaned_data
        if all(data.get(f) for f in self.Meta.fields):
            services.check_shift(group=data["group"], agent=data["agent"],
                                 starts_at=data["starts_at"], ends_at=data["ends_at"])


@admin.register(OnCallShift)
class OnCallShiftAdmin(ServiceAdmin):
    """Shifts are added with ``on_call_shift_add`` (no overlaps); a wrong one is deleted."""

    form = OnCallShiftForm
    list_display = ("group", "agent", "starts_at", "ends_at")
    list_filter = ("group",)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        obj.pk = services.on_call_shift_add(group=data["group"], agent=data["agent"],
                                            starts_at=data["starts_at"],
                                            ends_at=data["ends_at"]).pk

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `tierdesk token create`; the admin can only revoke them."""

    list_display = ("prefix", "name", "user", "created_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
