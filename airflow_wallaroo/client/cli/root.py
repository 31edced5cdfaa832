"""The HTTP half of ``airflow-wallaroo``: ``login``, ``ws``, ``orch`` and ``task``.

Typer (on click) because each command is a typed function whose signature is its
documentation, sub-command groups and ``--help`` come for free, rich is already its
renderer, and its testing runner exercises argument handling without a server.
Nothing here imports Airflow: these commands start fast and work from any machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from airflow_wallaroo.client.api import fetch_token
from airflow_wallaroo.client.cli import orchestrations, tasks, workspaces
from airflow_wallaroo.client.cli.context import CliError, CliState, ExitCode, state
from airflow_wallaroo.client.cli.output import stderr, stdout
from airflow_wallaroo.client.config import (
    TOKEN_ENV,
    URL_ENV,
    Login,
    config_path,
    read_login,
    remove_login,
    write_login,
)
from airflow_wallaroo.client.errors import WallarooApiError, WallarooClientError, WallarooConnectionError

OPS_EPILOG = (
    "Operator commands, run where Airflow runs: standalone, install-dags, sweep, reconcile "
    "(see `airflow-wallaroo standalone --help`). Exit codes: 0 ok, 1 the server refused "
    "(its msg is printed), 2 usage, 3 server unreachable, 4 not authenticated, "
    "5 packaging failed (--wait), 6 --wait timed out."
)

app = typer.Typer(
    name="airflow-wallaroo",
    help="Talk to a Wallaroo ML Workload Orchestration server (airflow-wallaroo) over HTTP.",
    epilog=OPS_EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(workspaces.app, name="ws")
app.add_typer(orchestrations.app, name="orch")
app.add_typer(tasks.app, name="task")


@app.callback()
def root(
    ctx: typer.Context,
    url: Annotated[
        str | None, typer.Option("--url", help=f"server URL (or {URL_ENV}, or the login file)")
    ] = None,
    token: Annotated[
        str | None, typer.Option("--token", help=f"bearer token (or {TOKEN_ENV}, or the login file)")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--http-timeout", help="seconds to wait for each network step")
    ] = 60.0,
) -> None:
    ctx.obj = CliState(url=url, token=token, timeout=timeout)
    ctx.call_on_close(ctx.obj.close)


@app.command("login")
def login(
    ctx: typer.Context,
    username: Annotated[
        str | None, typer.Option("--username", "-u", help="Airflow user name (prompted)")
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", "-p", help="prefer the prompt or --password-stdin")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
) -> None:
    """Get a token with your Airflow user name and password, and store it with the URL.

    The login file is $XDG_CONFIG_HOME/airflow-wallaroo/config.json, readable by you only.
    """
    cli = state(ctx)
    url = cli.url or _env(URL_ENV) or _stored_url()
    if not url:
        url = typer.prompt("server URL")
    username = username or typer.prompt("user name")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    if password is None:
        password = typer.prompt("password", hide_input=True)
    token = fetch_token(url, username, password, timeout=cli.timeout)
    path = write_login(Login(url=url.rstrip("/"), token=token, username=username))
    stdout().print(f"logged in to {url.rstrip('/')} as {username}; token stored in {path}")


@app.command("logout")
def logout() -> None:
    """Forget the stored URL and token."""
    removed = remove_login()
    stdout().print(f"removed {config_path()}" if removed else "not logged in")


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def _stored_url() -> str | None:
    try:
        stored = read_login()
    except ValueError:
        return None
    return stored.url if stored else None


def run(argv: Sequence[str]) -> int:
    """Run one command line; every failure becomes a message on stderr and a documented exit code.

    Typer runs in its standalone mode (its own usage errors, exit 2, and help); the client's
    errors pass through it untouched and are mapped here.
    """
    command = typer.main.get_command(app)
    err = stderr()
    try:
        command.main(args=list(argv), prog_name="airflow-wallaroo", standalone_mode=True)
    except SystemExit as exc:
        return (
            exc.code if isinstance(exc.code, int) else (ExitCode.OK if exc.code is None else ExitCode.USAGE)
        )
    except CliError as exc:
        err.print(f"error: {exc.msg}", markup=False)
        return exc.code
    except WallarooApiError as exc:
        if exc.code == 401:
            err.print(f"error: {exc.msg} (HTTP 401); run `airflow-wallaroo login`", markup=False)
            return ExitCode.NOT_AUTHENTICATED
        err.print(f"error: {exc.msg} (HTTP {exc.code})", markup=False)
        return ExitCode.API_ERROR
    except WallarooConnectionError as exc:
        err.print(f"error: {exc.msg}", markup=False)
        return ExitCode.NO_CONNECTION
    except WallarooClientError as exc:
        err.print(f"error: {exc.msg}", markup=False)
        return ExitCode.API_ERROR
    except ValueError as exc:  # a damaged login file, a value the client refused
        err.print(f"error: {exc}", markup=False)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        return ExitCode.INTERRUPTED
    return ExitCode.OK
