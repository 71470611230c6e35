from django.contrib import admin

from tierdesk.workspace.models import SavedFilter


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ("name", "agent", "view", "group", "priority", "sort")
