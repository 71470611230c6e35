"""Organisation and contact endpoints."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tierdesk.common.errors import Forbidden, NotFound, ServiceError
from tierdesk.common.lookups import get_or_404
from tierdesk.common.schemas import DbId, StrictIn
from tierdesk.customers import services
from tierdesk.customers.models import Contact, Organisation
from tierdesk.people.access import viewer_for

router = Router(tags=["customers"])


class OrganisationOut(Schema):
    id: int
    name: str
    external_id: str | None
    plan: str
    country: str
    timezone: str
    language: str
    vip: bool
    churn_risk: str


class OrganisationIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    external_id: str | None = Field(default=None, max_length=64)
    plan: str = Field(default="", max_length=64)
    country: str = Field(default="", max_length=2)
    timezone: str = Field(default="UTC", max_length=64)
    language: str = Field(default="en", max_length=8)
    vip: bool = False
    churn_risk: Organisation.ChurnRisk = Organisation.ChurnRisk.LOW


class OrganisationPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    plan: str | None = Field(default=None, max_length=64)
    country: str | None = Field(default=None, max_length=2)
    timezone: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=8)
    vip: bool | None = None
    churn_risk: Organisation.ChurnRisk | None = None


class ContactOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    language: str
    external_id: str | None
    organisation_id: int | None


class ContactIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    organisation_id: int | None = None
    phone: str = Field(default="", max_length=32)
    language: str = Field(default="", max_length=8)
    external_id: str | None = Field(default=None, max_length=64)


def _visible_organisations(request: HttpRequest):
    viewer = viewer_for(request.auth)
    if viewer.is_agent:
        return Organisation.objects.all()
    if viewer.is_customer and viewer.organisation_id:
        return Organisation.objects.filter(pk=viewer.organisation_id)
    return Organisation.objects.none()


def _visible_contacts(request: HttpRequest):
    viewer = viewer_for(request.auth)
    if viewer.is_agent:
        return Contact.objects.all()
    if viewer.is_customer and viewer.organisation_id:
        return Contact.objects.filter(organisation_id=viewer.organisation_id)
    if viewer.is_customer:
        return Contact.objects.filter(pk=viewer.contact.pk)
    return Contact.objects.none()


def _clean(exc: DjangoValidationError) -> ServiceError:
    field, messages = next(iter(exc.message_dict.items()))
    return ServiceError(f"{field}: {messages[0]}", field=field)


@router.get("/organisations", response=list[OrganisationOut])
def list_organisations(request: HttpRequest, limit: int = Query(100, ge=1, le=500),
                       offset: int = Query(0, ge=0, le=1_000_000)):
    return list(_visible_organisations(request).order_by("name", "id")[offset:offset + limit])


@router.get("/organisations/{int:org_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, org_id: int):
    org = _visible_organisations(request).filter(pk=org_id).first()
    if org is None:
        raise NotFound(f"organisation {org_id} not found", field="org_id")
    return org


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn):
    try:
        org = services.organisation_create(viewer=viewer_for(request.auth),
                                           **payload.model_dump())
    except DjangoValidationError as exc:
        raise _clean(exc) from None
    return Status(201, org)


@router.patch("/organisations/{int:org_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, org_id: int, payload: OrganisationPatch):
    org = get_organisation(request, org_id)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    try:
        return services.organisation_update(viewer=viewer_for(request.auth),
                                            organisation=org, data=data)
    except DjangoValidationError as exc:
        raise _clean(exc) from None


@router.get("/contacts", response=list[ContactOut])
def list_contacts(request: HttpRequest, limit: int = Query(100, ge=1, le=500),
                  offset: int = Query(0, ge=0, le=1_000_000), organisation_id: DbId | None = None):
    qs = _visible_contacts(request)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return list(qs.order_by("name", "id")[offset:offset + limit])


@router.get("/contacts/{int:contact_id}", response=ContactOut)
def get_contact(request: HttpRequest, contact_id: int):
    contact = _visible_contacts(request).filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(f"contact {contact_id} not found", field="contact_id")
    return contact


@router.post("/contacts", response={201: ContactOut})
def create_contact(request: HttpRequest, payload: ContactIn):
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("only agents may create contacts")
    data = payload.model_dump()
    org_id = data.pop("organisation_id")
    org = get_or_404(Organisation, "organisation_id", pk=org_id) if org_id else None
    try:
        contact = services.contact_create(viewer=viewer, organisation=org, **data)
    except DjangoValidationError as exc:
        raise _clean(exc) from None
    return Status(201, contact)
