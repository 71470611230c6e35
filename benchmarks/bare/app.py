"""A bare Django + django-ninja app: token auth, then ticket + event + outbox row in one
transaction. The floor a ticket create can reach on this stack (see README.md).

    python app.py seed      migrate, print {"secret": ..., "contact_id": 1} as JSON
    python app.py count P   rows written by creates whose subject starts with P
    gunicorn app:application
"""

import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from urllib.parse import urlparse

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))


def _database() -> dict:
    url = os.environ.get("TIERDESK_BARE_DATABASE_URL")
    if url:
        u = urlparse(url)
        return {"ENGINE": "django.db.backends.postgresql", "NAME": u.path.lstrip("/"),
                "USER": u.username or "postgres", "HOST": u.hostname or "127.0.0.1",
                "PORT": u.port or 5432, "CONN_MAX_AGE": None}
    return {"ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("TIERDESK_BARE_DB", os.path.join(HERE, "bare.sqlite3")),
            "CONN_MAX_AGE": None,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"}}


if not settings.configured:
    settings.configure(
        DEBUG=False, SECRET_KEY="bare-benchmark", ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__, DATABASES={"default": _database()}, USE_TZ=True,
        INSTALLED_APPS=["bareapp"], MIDDLEWARE=[],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
sys.path.insert(0, HERE)
django.setup()

from bareapp.models import Event, Outbox, Ticket, Token  # noqa: E402
from django.db import transaction  # noqa: E402
from django.urls import path  # noqa: E402
from ninja import NinjaAPI, Schema  # noqa: E402
from ninja.security import HttpBearer  # noqa: E402


class Bearer(HttpBearer):
    def authenticate(self, request, token: str):
        digest = hashlib.sha256(token.encode()).hexdigest()
        return Token.objects.filter(token_hash=digest).values_list("user_id", flat=True).first()


api = NinjaAPI(auth=Bearer(), urls_namespace="bare")


class TicketIn(Schema):
    subject: str
    body: str
    requester_id: int


class TicketOut(Schema):
    id: int
    subject: str
    status: str
    requester_id: int
    created_at: datetime


@api.post("/api/v1/tickets", response={201: TicketOut})
def create(request, payload: TicketIn):
    now = datetime.now(UTC)
    with transaction.atomic():
        ticket = Ticket.objects.create(subject=payload.subject, body=payload.body,
                                       requester_id=payload.requester_id, status="new",
                                       created_at=now)
        Event.objects.create(ticket=ticket, type="created", actor_id=request.auth,
                             data={"subject": ticket.subject}, created_at=now)
        Outbox.objects.create(ticket=ticket, kind="email", created_at=now, payload={
            "to": ["requester@example.com"], "subject": f"[Ticket #{ticket.pk}]"})
    return 201, ticket


@api.get("/healthz", auth=None)
def healthz(request):
    return {"ok": True}


urlpatterns = [path("", api.urls)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()


def main(argv: list[str]) -> int:
    from django.core.management import call_command

    if argv[:1] == ["seed"]:
        call_command("migrate", run_syncdb=True, verbosity=0)
        secret = "bare_" + hashlib.sha256(os.urandom(16)).hexdigest()
        Token.objects.create(user_id=1, token_hash=hashlib.sha256(secret.encode()).hexdigest())
        print(json.dumps({"secret": secret, "contact_id": 1}))
        return 0
    if argv[:1] == ["count"]:
        ids = Ticket.objects.filter(subject__startswith=argv[1]).values("id")
        n = Ticket.objects.filter(subject__startswith=argv[1]).count()
        print(json.dumps({"tickets": n, "messages": n,
                          "events": Event.objects.filter(ticket_id__in=ids).count(),
                          "outbox": Outbox.objects.filter(ticket_id__in=ids).count()}))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
