from django.contrib import admin

from tierdesk.customers.models import Contact, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "external_id", "plan", "country", "timezone", "vip", "churn_risk")
    list_filter = ("plan", "vip", "churn_risk", "country")
    search_fields = ("name", "external_id")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "organisation", "language")
    search_fields = ("name", "email", "external_id")
    raw_id_fields = ("organisation", "user")
