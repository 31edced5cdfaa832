"""Domain errors. Services raise these; ``api/errors.py`` maps them to HTTP in one place."""

from __future__ import annotations


class WallarooError(Exception):
    """Raised when a request cannot be served; the root of every domain error.

    ``status_code`` is the HTTP status the API answers with; ``msg`` is for a person.
    """

    status_code: int = 400

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


class InvalidRequestError(WallarooError):
    """Raised when a request is well-formed JSON but asks for something invalid."""

    status_code = 400


class NotAuthenticatedError(WallarooError):
    """Raised when a request has no valid bearer token."""

    status_code = 401


class ForbiddenError(WallarooError):
    """Raised when the caller is not allowed to touch what they asked for."""

    status_code = 403


class NotFoundError(WallarooError):
    """Raised when the thing asked for does not exist (or must not be revealed)."""

    status_code = 404


class ConflictError(WallarooError):
    """Raised when the request clashes with the current state of what it names."""

    status_code = 409


class PayloadTooLargeError(WallarooError):
    """Raised when an upload is larger than the configured limit."""

    status_code = 413


class TooManyRequestsError(WallarooError):
    """Raised when the server is already busy with as many such requests as it takes at once.

    ``retry_after`` is how many seconds the client should wait before trying again.
    """

    status_code = 429

    def __init__(self, msg: str, *, retry_after: int) -> None:
        super().__init__(msg)
        self.retry_after = retry_after


class InsufficientStorageError(WallarooError):
    """Raised when the artifact store has no room left for an upload."""

    status_code = 507
