from django.apps import AppConfig


def _deliver_slack_reply(message) -> None:
    from tierdesk.intake.slack import deliver_reply

    deliver_reply(message)


class IntakeConfig(AppConfig):
    """Phone calls, Slack shared channels and social messages becoming tickets."""

    name = "tierdesk.intake"
    label = "intake"
    verbose_name = "Phone, Slack and social intake"

    def ready(self) -> None:
        from tierdesk.intake.slack import REPLY_KIND
        from tierdesk.outbox.registry import register_handler

        register_handler(REPLY_KIND, _deliver_slack_reply)
