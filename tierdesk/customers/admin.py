"""Organisations and contacts change through their services here too: a plan or time zone
changed in the admin moves the open tickets' SLA clocks, as it does through the API."""

from django.contrib import admin

from tierdesk.common.admin import ServiceAdmin, ServiceForm
from tierdesk.customers import services
from tierdesk.customers.models import Contact, Organisation
from tierdesk.people.access import SYSTEM, Viewer


def admin_viewer(request) -> Viewer:
    """The platform acting for the signed-in admin (the admin site checked the permission)."""
    return Viewer(user=request.user, agent=None, contact=None, system=True) if request else SYSTEM


class OrganisationForm(ServiceForm):
    class Meta:
        model = Organisation
        fields = "__all__"

    def service_check(self) -> None:
        if "timezone" in self.cleaned_data:
            services.validate_timezone(self.cleaned_data["timezone"])


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    form = OrganisationForm
    list_display = ("name", "external_id", "plan", "country", "timezone", "vip", "churn_risk")
    list_filter = ("plan", "vip", "churn_risk", "country")
    search_fields = ("name", "external_id")

    def save_model(self, request, obj, form, change) -> None:
        data = {f: form.cleaned_data[f] for f in form.changed_data}
        if change:
            services.organisation_update(viewer=admin_viewer(request),
                                         organisation=Organisation(pk=obj.pk), data=data)
        else:
            fields = {f: form.cleaned_data[f] for f in form.fields if f != "name"}
            obj.pk = services.organisation_create(viewer=None, name=form.cleaned_data["name"],
                                                  **fields).pk

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # tickets point at it; an organisation is kept, not deleted


@admin.register(Contact)
class ContactAdmin(ServiceAdmin):
    """Contacts are added through ``contact_create``; there is no edit service yet, so the
    admin shows them read-only."""

    list_display = ("name", "email", "organisation", "language")
    search_fields = ("name", "email", "external_id")
    raw_id_fields = ("organisation", "user")

    def save_model(self, request, obj, form, change) -> None:
        fields = {f: form.cleaned_data[f] for f in form.fields
                  if f not in ("name", "email", "organisation")}
        obj.pk = services.contact_create(
            viewer=None, name=form.cleaned_data["name"], email=form.cleaned_data["email"],
            organisation=form.cleaned_data["organisation"], **fields).pk

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
