from django.contrib import admin

from tierdesk.refunds.models import LedgerEntry, Payment, RefundRequest


@admin.register(RefundRequest)
class RefundRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "ticket", "kind", "amount_minor", "currency", "status",
                    "decides_role")
    list_filter = ("status", "kind", "decides_role")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only (services write it, nobody edits it)."""

    list_display = ("id", "kind", "amount_minor", "currency", "organisation", "approved_by",
                    "pack_rule", "created_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


admin.site.register(Payment)
