"""What an operator should set before real customers use the instance.

Django's own ``check --deploy`` covers HTTP security settings; these add Tierdesk's:
where the secret key lives, TLS, the database, outbound mail and the host names.
``tierdesk check --deploy`` lists them and ``tierdesk serve`` counts them at start.
"""

import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "testserver", "::1"}


@register(Tags.security, deploy=True)
def tierdesk_deploy_checks(app_configs=None, **kwargs) -> list:
    found = []
    if getattr(settings, "SECRET_KEY_FROM_DATA_DIR", False):
        key_file = Path(settings.DATA_DIR) / "secret_key"
        mode = stat.S_IMODE(key_file.stat().st_mode) if key_file.exists() else 0
        if mode & 0o077:
            found.append(Error(
                f"{key_file} is readable by other users (mode {mode:o})",
                hint=f"chmod 600 {key_file}, or set TIERDESK_SECRET_KEY", id="tierdesk.E001"))
        else:
            found.append(Warning(
                f"the secret key is the random one kept in {key_file}",
                hint="fine for one machine; several web hosts need the same "
                     "TIERDESK_SECRET_KEY", id="tierdesk.W001"))
    if not getattr(settings, "SESSION_COOKIE_SECURE", False):
        found.append(Warning("TIERDESK_TLS is off: session and CSRF cookies travel in clear",
                             hint="serve behind TLS and set TIERDESK_TLS=true",
                             id="tierdesk.W002"))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite"):
        found.append(Warning("the database is the embedded SQLite file",
                             hint="for several web hosts or workers set TIERDESK_DATABASE_URL "
                                  "to PostgreSQL", id="tierdesk.W003"))
    if not getattr(settings, "EMAIL_ENABLED", False):
        found.append(Warning("outbound mail is off: acknowledgements and replies wait in the "
                             "outbox", hint="set TIERDESK_EMAIL_ENABLED=true and "
                             "TIERDESK_SMTP_HOST", id="tierdesk.W004"))
    if set(settings.ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
        found.append(Warning("TIERDESK_ALLOWED_HOSTS names only this machine",
                             hint="add the host name customers and agents use",
                             id="tierdesk.W005"))
    return found
