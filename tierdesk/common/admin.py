"""Admin pieces shared by the apps whose records change only through services."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m


class ReadOnlyInline(admin.TabularInline):
    """Show related rows (messages, events, timeline) without letting the admin edit them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse records the services own (tickets, escalations, events...): adding, changing
    or deleting them here would skip the pack's checks, the audit log and the SLA."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceForm(forms.ModelForm):
    """A form whose ``service_check`` (a service's own validation) answers as form errors,
    so the admin refuses what the service would, before its ``save_model`` calls it."""

    def service_check(self) -> None:
        """Raise the service's ``ServiceError`` for bad input (override)."""

    def clean(self):
        from tierdesk.common.errors import ServiceError

        cleaned = super().clean()
        try:
            self.service_check()
        except ServiceError as exc:
            raise forms.ValidationError({exc.field: exc.message} if exc.field in self.fields
                                        else exc.message) from None
        return cleaned


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose ``save_model`` calls a service: the service opens its own (durable)
    transaction, so the form view does not wrap it in one as Django's does."""

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._changeform_view(request, object_id, form_url, extra_context)
