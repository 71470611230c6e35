from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "tierdesk.workspace"
    label = "workspace"
    verbose_name = "Agent workspace"
