from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tierdesk.tasks"
    label = "tasks"
    verbose_name = "Tasks (follow-ups and approvals owed by a person or a role)"
