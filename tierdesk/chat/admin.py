from django.contrib import admin

from tierdesk.chat.models import ChatSession


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "ticket", "contact", "state", "verified", "started_at")
    list_filter = ("state", "verified")
    raw_id_fields = ("ticket", "contact")
    exclude = ("token_hash",)
