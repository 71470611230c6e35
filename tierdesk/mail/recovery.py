"""Mail stored but never filed: the process filing it died (``kill -9``, a lost database
connection) after the raw bytes were committed and before the outcome was.

Nothing is lost, since the bytes are stored first, but such a message would wait as
``received`` for ever: the HTTP hook's sender retries and files it again under the same
Message-ID, yet an IMAP message already moved, or a hook whose sender gave up, would be on
no ticket and in no list. The mail sweep files each one left ``received`` for longer than
``TIERDESK_MAIL_RECOVER_AFTER`` seconds, as if it had just arrived: one already filed
by a retry is recorded as a duplicate of its Message-ID, not as a second ticket.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from tierdesk import clock
from tierdesk.mail.models import InboundMail
from tierdesk.mail.services import process

BATCH = 100


def recover_stalled(now: datetime | None = None) -> int:
    """File stored mail whose processing died; return how many were filed.

    Each is claimed by a conditional update of ``processed_at`` (still ``received``, not
    claimed since the cut-off), so two sweepers never take one; a claim whose process
    died too is taken again after another ``TIERDESK_MAIL_RECOVER_AFTER``.
    """
    now = now or clock.now()
    cutoff = now - timedelta(seconds=settings.MAIL_RECOVER_AFTER_SECONDS)
    unclaimed = Q(processed_at__isnull=True) | Q(processed_at__lte=cutoff)
    stalled = (InboundMail.objects.filter(unclaimed, state=InboundMail.State.RECEIVED,
                                          received_at__lte=cutoff)
               .order_by("id").values_list("id", flat=True)[:BATCH])
    filed = 0
    for pk in list(stalled):
        claimed = InboundMail.objects.filter(
            unclaimed, pk=pk, state=InboundMail.State.RECEIVED).update(processed_at=now)
        if claimed != 1:
            continue
        process(InboundMail.objects.get(pk=pk))
        filed += 1
    return filed
