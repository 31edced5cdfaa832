"""What the client raises: the server's refusal (its ``msg`` and ``code``), or no answer at all."""

from __future__ import annotations

import httpx


class WallarooClientError(Exception):
    """Raised when a call to the orchestration API did not succeed; the root of the client's errors."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


class WallarooApiError(WallarooClientError):
    """Raised when the server answered with an error status.

    ``msg`` is the server's own sentence for a person, ``code`` its HTTP status. Answers
    from Airflow itself (``/auth/token``) carry ``detail`` instead of ``msg``: it is used.
    """

    def __init__(self, msg: str, code: int) -> None:
        super().__init__(msg)
        self.code = code

    def __str__(self) -> str:
        return f"{self.msg} (HTTP {self.code})"

    @classmethod
    def from_response(cls, response: httpx.Response) -> WallarooApiError:
        """Build the error from an answer whose status is not 2xx."""
        msg = None
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            msg = body.get("msg") or _describe_detail(body.get("detail"))
        if not msg:
            text = response.text.strip()
            msg = text[:500] if text else response.reason_phrase or "error"
        return cls(str(msg), response.status_code)


class WallarooConnectionError(WallarooClientError):
    """Raised when the server could not be reached, or did not answer in time."""


def _describe_detail(detail: object) -> str | None:
    """Airflow's own errors: a string, or FastAPI's list of validation errors."""
    if detail is None:
        return None
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {item.get('msg', 'invalid')}" if loc else str(item.get("msg", item)))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)
