from django.apps import AppConfig


def _poll_mailboxes(now=None) -> int:
    """Mail in: the IMAP mailboxes, then stored mail whose filing died (mail/recovery.py)."""
    from tierdesk.mail.poller import poll_all
    from tierdesk.mail.recovery import recover_stalled

    return poll_all(now) + recover_stalled(now)


class MailConfig(AppConfig):
    name = "tierdesk.mail"
    label = "mail"

    def ready(self) -> None:
        """Teach the infrastructure about mail: the outbox threads ticket mail through
        our composer, the sweep polls the mailboxes, /readyz warns of failed mail."""
        from tierdesk.common.health import register_warnings
        from tierdesk.jobs.registry import register_periodic
        from tierdesk.mail.outbound import compose
        from tierdesk.mail.services import failed_mail_warnings
        from tierdesk.outbox.registry import register_email_composer

        register_email_composer(compose)
        # First in a pass (every pass, TIERDESK_SWEEP_INTERVAL): tickets opened by mail get
        # their SLA and rules in the same pass.
        register_periodic("poll_mailboxes", _poll_mailboxes, order=5)
        register_warnings(failed_mail_warnings)
