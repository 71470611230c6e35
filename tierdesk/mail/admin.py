from django.contrib import admin

from tierdesk.common.admin import ReadOnlyAdmin
from tierdesk.mail.models import InboundMail, MailboxCursor, UndeliverableAddress


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    """Every message received, raw; filter state "failed" for the failed-mail store
    (`tierdesk mail reprocess` retries those)."""

    list_display = ("id", "received_at", "source", "sender", "subject", "state", "outcome",
                    "ticket_id", "reason")
    list_filter = ("state", "outcome", "source")
    search_fields = ("sender", "subject", "message_id")
    exclude = ("raw",)
    readonly_fields = ("raw_preview",)

    @admin.display(description="raw message (first 20 000 bytes)")
    def raw_preview(self, obj: InboundMail) -> str:
        return bytes(obj.raw[:20000]).decode("utf-8", "replace")


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(admin.ModelAdmin):
    """Addresses a bounce marked undeliverable; delete a row to send to it again."""

    list_display = ("email", "bounced_at", "reason")
    search_fields = ("email",)


@admin.register(MailboxCursor)
class MailboxCursorAdmin(ReadOnlyAdmin):
    list_display = ("mailbox", "uidvalidity", "last_uid", "updated_at")
