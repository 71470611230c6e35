from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Infrastructure shared by every app; registers the deployment checks."""

    name = "tierdesk.common"
    label = "tierdesk_common"

    def ready(self) -> None:
        from tierdesk.common import checks  # noqa: F401 - registers the checks
