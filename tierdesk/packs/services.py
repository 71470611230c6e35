"""Apply a policy pack to a running instance: validated, versioned, audited."""

import hashlib
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from tierdesk import clock
from tierdesk.common.errors import ServiceError
from tierdesk.packs.models import PolicyPackVersion
from tierdesk.packs.selectors import forget_active
from tierdesk.packs.sync import sync_structure
from tierdesk.policy import PackInvalid, load_pack

log = logging.getLogger(__name__)


class PackRejected(ServiceError):
    """The pack does not validate; ``errors`` lists every problem with its path."""

    def __init__(self, errors: list) -> None:
        super().__init__(f"the pack has {len(errors)} error(s)", field="pack")
        self.errors = errors


@dataclass(frozen=True)
class Applied:
    version: PolicyPackVersion
    unchanged: bool


def pack_apply(*, source: str, actor=None, note: str = "") -> Applied:
    """Validate ``source`` and make it the active pack; an invalid pack changes nothing.

    Applying the same text as the active version is a no-op. Open tickets adopt the new
    version afterwards (``adopt_active_pack``), in batches that survive a restart.
    """
    try:
        pack = load_pack(source)
    except PackInvalid as exc:
        raise PackRejected(list(exc.errors)) from None
    digest = hashlib.sha256(source.encode()).hexdigest()
    with transaction.atomic(durable=True):
        active = PolicyPackVersion.objects.select_for_update().filter(is_active=True).first()
        if active is not None and active.sha256 == digest:
            return Applied(active, unchanged=True)
        number = (PolicyPackVersion.objects.filter(name=pack.name)
                  .aggregate(n=Max("version"))["n"] or 0) + 1
        PolicyPackVersion.objects.filter(is_active=True).update(is_active=False)
        version = PolicyPackVersion.objects.create(
            name=pack.name, version=number, source=source, sha256=digest, is_active=True,
            applied_at=clock.now(), applied_by=actor, note=note[:500],
        )
        sync_structure(pack)
        forget_active()
    log.info("policy pack %s v%s applied", pack.name, number)
    return Applied(version, unchanged=False)


def adopt_active_pack(*, batch: int = 500) -> int:
    """Recompute open tickets last evaluated under another pack version; return how many.

    Each ticket is its own transaction (with an event saying why its targets moved), so a
    crash part-way leaves the rest for the next run.
    """
    from tierdesk.packs.selectors import active_version
    from tierdesk.sla.services import recompute
    from tierdesk.tickets.models import Ticket
    from tierdesk.tickets.statuses import UNRESOLVED

    version = active_version()
    if version is None:
        return 0
    reason = f"policy pack {version.name} v{version.version} applied"
    done = 0
    while True:
        ids = list(Ticket.objects.filter(status__in=UNRESOLVED)
                   .exclude(sla_pack_version=version).order_by("id")
                   .values_list("id", flat=True)[:batch])
        for ticket_id in ids:
            recompute(ticket=Ticket(pk=ticket_id), reason=reason)
        done += len(ids)
        if len(ids) < batch:
            return done
