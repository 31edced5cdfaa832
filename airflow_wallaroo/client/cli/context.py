"""What every command shares: exit codes, the error that carries one, and the client to use."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from airflow_wallaroo.client.api import WallarooClient
from airflow_wallaroo.client.config import TOKEN_ENV, URL_ENV, resolve_connection


class ExitCode:
    """The exit codes scripts can rely on (the README lists them)."""

    OK = 0
    #: The server refused the request (any 4xx or 5xx but 401); its ``msg`` is printed.
    API_ERROR = 1
    #: Bad command line or input: unknown option, unreadable --json file, no server configured.
    USAGE = 2
    #: The server could not be reached, or did not answer in time.
    NO_CONNECTION = 3
    #: No token, or the server answered 401 (expired or bad token): run ``airflow-wallaroo login``.
    NOT_AUTHENTICATED = 4
    #: What ``--wait`` waited for ended badly: packaging ended in ``error``.
    FAILED = 5
    #: ``--wait`` gave up before the end (its ``--timeout``).
    WAIT_TIMEOUT = 6
    #: Interrupted (Ctrl-C).
    INTERRUPTED = 130


class CliError(Exception):
    """Raised by a command to stop with ``code`` after printing ``msg`` on stderr."""

    def __init__(self, msg: str, code: int = ExitCode.USAGE) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code


@dataclass
class CliState:
    """The root options, and the one client built from them on first use."""

    url: str | None = None
    token: str | None = None
    timeout: float = 60.0
    _client: WallarooClient | None = field(default=None, repr=False)

    def client(self) -> WallarooClient:
        if self._client is None:
            connection = resolve_connection(self.url, self.token)
            if not connection.url:
                raise CliError(f"no server: pass --url, set {URL_ENV}, or run `airflow-wallaroo login`")
            if not connection.token:
                raise CliError(
                    f"no token for {connection.url}: run `airflow-wallaroo login --url {connection.url}` "
                    f"or set {TOKEN_ENV}",
                    ExitCode.NOT_AUTHENTICATED,
                )
            self._client = WallarooClient(connection.url, connection.token, timeout=self.timeout)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def state(ctx: typer.Context) -> CliState:
    """The root's state, from any command's context."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):  # a command invoked without the root callback (tests)
        obj = ctx.find_root().obj = CliState()
    return obj


def read_arguments(source: str | None) -> dict[str, Any]:
    """A task's ``json`` from ``--json``: a file, ``-`` for stdin, or inline JSON; ``{}`` when absent."""
    if source is None:
        return {}
    if source == "-":
        text, where = sys.stdin.read(), "stdin"
    elif source.lstrip().startswith("{"):
        text, where = source, "--json"
    else:
        try:
            text, where = Path(source).read_text(encoding="utf-8"), source
        except OSError as exc:
            raise CliError(f"--json: cannot read {source}: {exc.strerror or exc}") from None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CliError(f"--json: {where} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise CliError(f"--json: {where} must hold a JSON object, not {type(value).__name__}")
    return value
