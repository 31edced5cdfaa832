"""The environment of the embedded default: SQLite, LocalExecutor, Simple auth, our plugin.

Settings the caller already put in the environment win, so the same supervisor runs
the test stacks on PostgreSQL or a deployment-like config.
"""

from __future__ import annotations

import base64
import configparser
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from airflow_wallaroo.standalone import sqlite

SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
DEFAULT_USERS = "admin:admin"


@dataclass(frozen=True)
class StandaloneLayout:
    """Where the embedded product keeps its state."""

    home: Path
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def passwords_file(self) -> Path:
        return self.home / "simple_auth_manager_passwords.json.generated"

    @property
    def component_logs(self) -> Path:
        return self.home / "logs" / "components"

    @property
    def dags_folder(self) -> Path:
        return self.home / "dags"

    @property
    def config_file(self) -> Path:
        return self.home / "airflow.cfg"


def build_environment(
    layout: StandaloneLayout, base: dict[str, str] | None = None, defaults: dict[str, str] | None = None
) -> dict[str, str]:
    """Return the environment every component runs with.

    ``defaults`` (a topology's) come before the embedded default's; the caller's own
    settings (``base``) win over both.
    """
    env = dict(os.environ if base is None else base)
    embedded = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{layout.home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": DEFAULT_USERS,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # LocalExecutor forks one worker per slot up front: 32 by default is a lot on a laptop.
        "AIRFLOW__CORE__PARALLELISM": "16",
        "AIRFLOW__CORE__DAGS_FOLDER": str(layout.dags_folder),
        "AIRFLOW__WALLAROO__RUNNER": "local",
        # Our loader files change only through spec writes, and every write asks for a
        # priority parse of its shard: the periodic re-parse of every shard (30 s by default)
        # only burns the dag-processor, and at 10k tasks delays new tasks (bench/factory_parse.py).
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
    }
    for key, value in {**embedded, **(defaults or {})}.items():
        env.setdefault(key, value)
    if env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite"):
        # One writer at a time: every connection of every component waits its turn (sqlite.py).
        for key, value in sqlite.SETTINGS.items():
            env.setdefault(key, value)
    # These follow from the layout and are never taken from outside.
    env.update(
        {
            "AIRFLOW_HOME": str(layout.home),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(layout.port),
            "AIRFLOW__API__BASE_URL": layout.base_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{layout.base_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(layout.passwords_file),
            "PYTHONUNBUFFERED": "1",
        }
    )
    # Task processes and our runners look for ``airflow`` and ``python`` on PATH: put
    # this interpreter's bin folder first so a venv works without being activated.
    bin_dir = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join(
        [bin_dir, *(p for p in env.get("PATH", "").split(os.pathsep) if p != bin_dir)]
    )
    return env


def simple_auth_users(env: dict[str, str]) -> list[str]:
    """Return the usernames configured for the Simple auth manager."""
    spec = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", DEFAULT_USERS)
    return [item.split(":")[0].strip() for item in spec.split(",") if item.strip()]


def ensure_passwords(passwords_file: Path, usernames: list[str]) -> dict[str, str]:
    """Give every configured user a password, keeping existing ones; written atomically.

    The Simple auth manager reads this same file and only generates passwords for users
    it lacks, so writing it first lets us print the credentials before the api-server starts.
    """
    passwords: dict[str, str] = {}
    if passwords_file.exists():
        passwords = json.loads(passwords_file.read_text() or "{}")
    missing = [u for u in usernames if u not in passwords]
    if missing:
        passwords.update({u: secrets.token_urlsafe(12) for u in missing})
        passwords_file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=passwords_file.parent, delete=False) as tmp:
            json.dump(passwords, tmp)
        os.replace(tmp.name, passwords_file)
    passwords_file.chmod(0o600)
    return passwords


#: Secrets Airflow needs stable across its components and restarts, and how to make each:
#: at least 32 bytes of randomness (Airflow's own default JWT secret has 16).
GENERATED_SECRETS: dict[tuple[str, str], Callable[[], str]] = {
    ("api_auth", "jwt_secret"): lambda: secrets.token_urlsafe(48),
    ("api", "secret_key"): lambda: secrets.token_urlsafe(48),
    ("core", "fernet_key"): lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
}
MIN_SECRET_CHARS = 43  # 32 bytes, base64-encoded


def write_config(config_file: Path, env: dict[str, str]) -> None:
    """Persist the settings of the components into ``airflow.cfg`` (mode 0600).

    So ``airflow`` and ``airflow-wallaroo`` commands run with the same AIRFLOW_HOME see
    exactly what the components see: the same database, DAG folder, runner and secrets.
    Existing values are kept unless the environment sets them; missing or short secrets
    are generated once.
    """
    config = configparser.ConfigParser(interpolation=None)
    if config_file.exists():
        config.read(config_file)
    for name, value in env.items():
        parts = name.split("__")
        if len(parts) != 3 or parts[0] != "AIRFLOW" or parts[2].endswith("_CMD"):
            continue
        section, option = parts[1].lower(), parts[2].lower()
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, option, value)
    for name, value in sqlite.SETTINGS.items():
        # A home that was on SQLite and moved to another database: psycopg2 refuses ``timeout``.
        option = name.split("__")[2].lower()
        if name not in env and config.get("database", option, fallback=None) == value:
            config.remove_option("database", option)
    for (section, option), make in GENERATED_SECRETS.items():
        current = config.get(section, option, fallback="")
        if f"AIRFLOW__{section.upper()}__{option.upper()}" in env or len(current) >= MIN_SECRET_CHARS:
            continue
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, option, make())
    config_file.parent.mkdir(parents=True, exist_ok=True)
    folder = config_file.parent
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, prefix=".airflow.cfg.") as tmp:
        os.fchmod(tmp.fileno(), 0o600)
        config.write(tmp)
    os.replace(tmp.name, config_file)
