"""A real Airflow stack for the integration tests, started through the product's own
``airflow-wallaroo standalone`` command, on a free port, in a temp home.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from airflow_wallaroo.standalone.supervisor import READY_LINE

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
USERS = ("admin", "alice", "bob")
#: One user of each of the Simple auth manager's other roles, for the role matrix.
ROLE_USERS = {"viewer": "viewer", "user": "user", "op": "op"}
#: The Simple auth manager's users of every tier: name:role.
SIMPLE_AUTH_USERS = ",".join(
    [*(f"{user}:admin" for user in USERS), *(f"{u}:{r}" for u, r in ROLE_USERS.items())]
)
#: Small archive limits so that the hostile-archive tests stay fast.
TEST_LIMITS = {
    "AIRFLOW__WALLAROO__MAX_ARCHIVE_BYTES": str(64 * 1024 * 1024),
    "AIRFLOW__WALLAROO__MAX_ARCHIVE_ENTRIES": "500",
    "AIRFLOW__WALLAROO__MAX_UNCOMPRESSED_BYTES": str(256 * 1024 * 1024),
    "AIRFLOW__WALLAROO__MAX_COMPRESSION_RATIO": "100",
    # Airflow looks for tasks orphaned by a dead scheduler every 300 s: a crash test would wait that long.
    "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "15",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


class PostgresDatabase:
    """A fresh PostgreSQL database for one test session, dropped afterwards."""

    def __init__(self) -> None:
        self.name = f"wallaroo_test_{uuid.uuid4().hex[:12]}"

    def _admin(self, sql: str) -> None:
        import psycopg2

        connection = psycopg2.connect(PG_ADMIN_DSN)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create(self) -> str:
        self._admin(f'CREATE DATABASE "{self.name}"')
        return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{self.name}"

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@dataclass
class AirflowStack:
    """One running ``airflow-wallaroo standalone`` and the way to talk to it."""

    home: Path
    backend: str
    sql_alchemy_conn: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    #: More ``airflow-wallaroo standalone`` arguments (``--topology celery``...).
    standalone_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output_path(self) -> Path:
        return self.home / "standalone.out"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = SIMPLE_AUTH_USERS
        env.update(TEST_LIMITS)
        if self.sql_alchemy_conn:
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = self.sql_alchemy_conn
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 240.0) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self._let_run_users_through()
        self._tokens.clear()  # a restart may bring new signing keys: tokens are fetched again
        with self.output_path.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "airflow_wallaroo.cli",
                    "standalone",
                    "--home",
                    str(self.home),
                    "--port",
                    str(self.port),
                    "--ready-timeout",
                    str(timeout),
                    *self.standalone_args,
                ],
                env=self.environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout + 30
        while time.monotonic() < deadline:
            output = self.output_path.read_text(errors="replace")
            if READY_LINE in output:
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"standalone exited with {self.process.returncode}:\n{output}")
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"standalone not ready in {timeout} s:\n{self.output_path.read_text()}")

    def _let_run_users_through(self) -> None:
        """pytest's temp folders are private (0700); user code runs as another uid and must
        pass through them to its venv and working dir, as it would to a deployment's folder."""
        for folder in [self.home, *self.home.parents]:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH and folder.owner() == "root" and str(folder).startswith("/tmp/"):
                folder.chmod(mode | stat.S_IXOTH)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def password(self, user: str) -> str:
        passwords = json.loads((self.home / "simple_auth_manager_passwords.json.generated").read_text())
        return passwords[user]

    def token(self, user: str = "admin") -> str:
        if user not in self._tokens:
            answer = httpx.post(
                f"{self.base_url}/auth/token",
                json={"username": user, "password": self.password(user)},
                timeout=30,
            )
            answer.raise_for_status()
            self._tokens[user] = answer.json()["access_token"]
        return self._tokens[user]

    @property
    def data_folder(self) -> Path:
        return self.home / "wallaroo"

    def airflow_api(self, user: str = "admin") -> httpx.Client:
        """A client for Airflow's own REST API, ``/api/v2``."""
        return httpx.Client(
            base_url=f"{self.base_url}/api/v2",
            headers={"Authorization": f"Bearer {self.token(user)}"},
            timeout=60,
        )

    def client(self, user: str | None = "admin") -> httpx.Client:
        """An HTTP client for ``/v1/api``; ``user=None`` sends no token at all."""
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        return httpx.Client(base_url=f"{self.base_url}/v1/api", headers=headers, timeout=60)

    def shell(self, *command: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """Run a command as a user would from a plain shell: AIRFLOW_HOME and PATH, nothing else."""
        bin_dir = str(Path(sys.executable).parent)
        env = {"AIRFLOW_HOME": str(self.home), "PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(self.home)}
        return subprocess.run(
            list(command),
            env=env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def spec(self, task_id: str) -> dict[str, object]:
        """The task's spec file, as the dag-processor reads it."""
        (path,) = (self.data_folder / "specs").glob(f"shard_*/{task_id}.json")
        loaded: dict[str, object] = json.loads(path.read_text())
        return loaded

    def component(self, name: str) -> psutil.Process:
        """The running process of one Airflow component (``scheduler``, ``api-server``...)."""
        pids = json.loads((self.home / "logs" / "components" / "pids.json").read_text())
        if name not in pids:
            raise LookupError(f"no component {name} under the supervisor: {sorted(pids)}")
        return psutil.Process(pids[name])
