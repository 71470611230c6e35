"""Organisation and contact services: the only writes to customer records."""

from typing import Any

from django.db import IntegrityError, transaction

from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.common.services import model_update
from tierdesk.customers.models import Contact, Organisation
from tierdesk.people.access import Viewer


def _require(viewer: Viewer, manager: bool) -> None:
    if manager and not viewer.is_manager:
        raise Forbidden("only managers may change organisations")
    if not viewer.is_agent:
        raise Forbidden("only agents may change customer records")


def validate_timezone(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError(f"unknown time zone {tz!r}", field="timezone") from None


@transaction.atomic(durable=True)
def organisation_create(*, viewer: Viewer | None, name: str, **fields: Any) -> Organisation:
    """Create an organisation (managers; ``viewer=None`` for the CLI and demo loader)."""
    if viewer is not None:
        _require(viewer, manager=True)
    validate_timezone(fields.get("timezone", "UTC"))
    if fields.get("external_id") and Organisation.objects.filter(
            external_id=fields["external_id"]).exists():
        raise Conflict(f"an organisation with external id {fields['external_id']} exists",
                       field="external_id")
    org = Organisation(name=name, **fields)
    org.full_clean()
    org.save()
    return org


@transaction.atomic(durable=True)
def organisation_update(*, viewer: Viewer, organisation: Organisation,
                        data: dict[str, Any]) -> Organisation:
    _require(viewer, manager=True)
    if "timezone" in data:
        validate_timezone(data["timezone"])
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    try:
        changes = model_update(instance=organisation, data=data)
    except IntegrityError:
        raise Conflict("external id already in use", field="external_id") from None
    sla_inputs = {"plan", "vip", "country", "timezone"} & set(changes)
    if sla_inputs:
        _refresh_open_tickets(organisation, ", ".join(f"organisation {f} changed"
                                                      for f in sorted(sla_inputs)), viewer)
    return organisation


def _refresh_open_tickets(organisation: Organisation, reason: str, viewer: Viewer) -> None:
    """A plan (or time zone...) change moves the SLA of the organisation's open tickets."""
    from tierdesk import clock
    from tierdesk.sla.services import sla_refresh
    from tierdesk.tickets.models import Ticket
    from tierdesk.tickets.statuses import UNRESOLVED

    now = clock.now()
    for ticket in (Ticket.objects.select_for_update(of=("self",)).filter(
            organisation=organisation, status__in=UNRESOLVED)
            .select_related("organisation", "tier")):
        sla_refresh(ticket=ticket, now=now, reason=reason, actor=viewer.user)


@transaction.atomic(durable=True)
def contact_create(*, viewer: Viewer | None, name: str, email: str,
                   organisation: Organisation | None, **fields: Any) -> Contact:
    if viewer is not None:
        _require(viewer, manager=False)
    email = email.strip().lower()
    if Contact.objects.filter(email=email).exists():
        raise Conflict(f"a contact with email {email} exists", field="email")
    contact = Contact(name=name, email=email, organisation=organisation, **fields)
    contact.full_clean()
    contact.save()
    return contact
