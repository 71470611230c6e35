"""Reads of the mail intake's records for the pages that show tickets."""

from collections.abc import Iterable

from tierdesk.mail.models import InboundMail


def quoted_texts(*, message_ids: Iterable[int]) -> dict[int, str]:
    """Return, per ticket message that came by mail, the history and signature its
    sender's mail client quoted under it (kept apart at intake, so the message shows only
    the new words); messages with nothing quoted are left out."""
    ids = list(message_ids)
    if not ids:
        return {}
    rows = (InboundMail.objects.filter(ticket_message_id__in=ids).exclude(quoted_text="")
            .values_list("ticket_message_id", "quoted_text"))
    return dict(rows)
