"""Signed one-click survey links: no login, cannot be forged, bound to one survey.

The token signs ``[survey id, nonce]`` with the instance's secret key (Django's signing,
HMAC-SHA256, with a salt of its own and a timestamp). Changing either part breaks the
signature; a token only ever names its own survey (and so its own ticket); the nonce
is random per survey, so a token stays useless for any other row even if ids repeat
after a restore. Answering twice is stopped by the answer itself (see services).
"""

import secrets

from django.conf import settings
from django.core import signing

SALT = "tierdesk.surveys.answer"
MAX_AGE_SECONDS = 60 * 24 * 3600  # a link older than 60 days no longer answers


class BadLink(Exception):
    """The link is not one Tierdesk made, or it has expired."""


def new_nonce() -> str:
    return secrets.token_hex(16)


def token_for(survey) -> str:
    return signing.dumps([survey.pk, survey.nonce], salt=SALT, compress=False)


def read(token: str) -> tuple[int, str]:
    """Return ``(survey id, nonce)`` from a token; BadLink when forged or expired."""
    try:
        survey_id, nonce = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadLink("this survey link is not valid") from None
    if not isinstance(survey_id, int) or not isinstance(nonce, str):
        raise BadLink("this survey link is not valid")
    return survey_id, nonce


def url_for(survey, score: int | None = None) -> str:
    base = f"{settings.PUBLIC_URL}/survey/{token_for(survey)}/"
    return base if score is None else f"{base}?score={score}"
