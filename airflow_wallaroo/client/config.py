"""Where the CLI finds its server and token: flags, then the environment, then the login file.

The login file is ``$XDG_CONFIG_HOME/airflow-wallaroo/config.json`` (``~/.config/...`` by
default), readable by its owner only, since it holds a bearer token.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

URL_ENV = "WALLAROO_URL"
TOKEN_ENV = "WALLAROO_TOKEN"
WORKSPACE_ENV = "WALLAROO_WORKSPACE"


def config_path() -> Path:
    """The login file's path, following the XDG base directory convention."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "airflow-wallaroo" / "config.json"


@dataclass(frozen=True)
class Login:
    """What ``airflow-wallaroo login`` stores."""

    url: str
    token: str
    username: str | None = None


def read_login(path: Path | None = None) -> Login | None:
    """The stored login, or None when there is none; a damaged file is a ValueError naming it."""
    path = path or config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot be read ({exc}); run `airflow-wallaroo login` again") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("url"), str)
        or not isinstance(data.get("token"), str)
    ):
        raise ValueError(f"{path}: has no url and token; run `airflow-wallaroo login` again")
    return Login(url=data["url"], token=data["token"], username=data.get("username"))


def write_login(login: Login, path: Path | None = None) -> Path:
    """Store the login atomically, mode 0600 from the first byte (never readable by others)."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(prefix=".config-", dir=path.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"url": login.url, "token": login.token, "username": login.username}, out, indent=2)
            out.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def remove_login(path: Path | None = None) -> bool:
    """Forget the stored login; True when there was one."""
    path = path or config_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


@dataclass(frozen=True)
class Connection:
    """The server and token a command talks to, and where each came from (for error messages)."""

    url: str | None
    token: str | None
    url_source: str
    token_source: str


def resolve_connection(url: str | None, token: str | None, path: Path | None = None) -> Connection:
    """Flags win over the environment, which wins over the login file; missing values stay None."""
    url_source = "--url" if url else ""
    token_source = "--token" if token else ""
    if not url and os.environ.get(URL_ENV):
        url, url_source = os.environ[URL_ENV], URL_ENV
    if not token and os.environ.get(TOKEN_ENV):
        token, token_source = os.environ[TOKEN_ENV], TOKEN_ENV
    if not url or not token:
        stored = read_login(path)
        where = str(path or config_path())
        if stored is not None:
            if not url:
                url, url_source = stored.url, where
            # A stored token belongs to the stored server only.
            if not token and url.rstrip("/") == stored.url.rstrip("/"):
                token, token_source = stored.token, where
    return Connection(
        url=url.rstrip("/") if url else None,
        token=token or None,
        url_source=url_source,
        token_source=token_source,
    )
