from typing import Any

from django.apps import AppConfig


def _deliver_slack(message: Any) -> None:
    from tierdesk.integrations.delivery import deliver_slack

    deliver_slack(message)


def _deliver_jira(message: Any) -> None:
    from tierdesk.integrations.delivery import deliver_jira

    deliver_jira(message)


class IntegrationsConfig(AppConfig):
    name = "tierdesk.integrations"
    label = "integrations"

    def ready(self) -> None:
        """Register the Slack and Jira senders with the outbox."""
        from tierdesk.outbox.registry import register_handler

        register_handler("slack", _deliver_slack)
        register_handler("jira", _deliver_jira)
