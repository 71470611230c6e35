from django.contrib import admin

from tierdesk.tasks.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "role", "assignee", "ticket", "due_at", "done_at")
    list_filter = ("role", "source")
    readonly_fields = ("key", "created_at")
