"""Domain errors: services raise these; interfaces turn them into 4xx answers."""


class ServiceError(Exception):
    """A refused change; nothing was written. ``field`` names the input at fault."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None,
                 details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details  # more for the caller to act on, e.g. where to go instead


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


class Gone(ServiceError):
    """The object is known but what it points at no longer exists (a lost file)."""

    status_code = 410
    code = "gone"


class Forbidden(ServiceError):
    status_code = 403
    code = "forbidden"


class Conflict(ServiceError):
    status_code = 409
    code = "conflict"


class InvalidTransition(ServiceError):
    status_code = 409
    code = "invalid_transition"
