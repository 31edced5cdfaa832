"""Runs Airflow's components as child process groups and watches them.

Unlike ``airflow standalone``, it says when it is ready (after the api-server answers
and the scheduler, dag-processor and triggerer heartbeat), and exits non-zero naming
the component if one dies, so scripts and tests can rely on it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from airflow_wallaroo.core.dag_files import install_dag_files
from airflow_wallaroo.get_provider_info import WALLAROO_OPTIONS
from airflow_wallaroo.standalone.environment import (
    StandaloneLayout,
    build_environment,
    ensure_passwords,
    simple_auth_users,
)

#: The ``airflow`` command of the interpreter we run under, so a venv need not be on PATH.
AIRFLOW_BIN = str(Path(sys.executable).with_name("airflow"))
#: The ``airflow`` command of the interpreter we run under, so a venv need not be on PATH.
AIRFLOW_BIN = str(Path(sys.executable).with_name("airflow"))
COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")
READY_LINE = "airflow-wallaroo standalone: ready"
HEALTHY_COMPONENTS = ("metadatabase", "scheduler", "triggerer", "dag_processor")


class ComponentDied(Exception):
    """Raised when a component exits while the product is supposed to be running."""


@dataclass
class Component:
    """One Airflow component, run as ``airflow <name>`` in its own process group."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def exited(self) -> int | None:
        return self.process.poll()

    def tail(self, lines: int = 30) -> str:
        try:
            with self.log_path.open("rb") as log:
                return b"".join(deque(log, maxlen=lines)).decode(errors="replace")
        except OSError:
            return ""


@dataclass
class Supervisor:
    """Starts, watches and stops the embedded product."""

    layout: StandaloneLayout
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    env: dict[str, str] = field(default_factory=dict)
    components: list[Component] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.env = build_environment(self.layout)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def prepare(self) -> dict[str, str]:
        """Create the home folders, migrate the metadata DB (ours included), set passwords."""
        for folder in (self.layout.home, self.layout.component_logs, self.layout.dags_folder):
            folder.mkdir(parents=True, exist_ok=True)
        passwords = ensure_passwords(self.layout.passwords_file, simple_auth_users(self.env))
        install_dag_files(
            Path(self.env["AIRFLOW__CORE__DAGS_FOLDER"]),
            int(self.env.get("AIRFLOW__WALLAROO__SPEC_SHARDS", WALLAROO_OPTIONS["spec_shards"][0])),
        )
        self.say(f"airflow-wallaroo standalone: migrating the metadata DB in {self.layout.home}")
        migrate = subprocess.run(
            [AIRFLOW_BIN, "db", "migrate"], env=self.env, capture_output=True, text=True, check=False
        )
        (self.layout.component_logs / "db-migrate.log").write_text(migrate.stdout + migrate.stderr)
        if migrate.returncode != 0:
            raise ComponentDied(
                f"airflow db migrate failed (exit {migrate.returncode}):\n{migrate.stderr[-4000:]}"
            )
        return passwords

    def start(self) -> None:
        """Start every component in its own process group, its output in its own log file."""
        for name in COMPONENTS:
            log_path = self.layout.component_logs / f"{name}.log"
            log_file = log_path.open("ab")
            process = subprocess.Popen(
                [AIRFLOW_BIN, name],
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log_file.close()
            self.components.append(Component(name=name, process=process, log_path=log_path))

    def check_alive(self) -> None:
        for component in self.components:
            code = component.exited()
            if code is not None:
                raise ComponentDied(
                    f"{component.name} exited with code {code}; last lines of {component.log_path}:\n"
                    f"{component.tail()}"
                )

    def is_ready(self) -> bool:
        """True once every component heartbeats and our app answers with the packaging DAG loaded."""
        try:
            with urllib.request.urlopen(f"{self.layout.base_url}/api/v2/monitor/health", timeout=2) as answer:
                health = json.load(answer)
            with urllib.request.urlopen(f"{self.layout.base_url}/v1/health", timeout=10) as answer:
                ours = json.load(answer)
        except (OSError, ValueError, urllib.error.URLError):
            return False
        airflow_ready = all(health.get(part, {}).get("status") == "healthy" for part in HEALTHY_COMPONENTS)
        return airflow_ready and bool(ours.get("packaging_dag"))

    def wait_ready(self, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            self.check_alive()
            if self.is_ready():
                return time.monotonic() - started
            time.sleep(0.5)
        raise ComponentDied(f"not ready after {timeout:.0f} s; see the logs in {self.layout.component_logs}")

    def watch(self) -> None:
        while True:
            self.check_alive()
            time.sleep(1)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM every process group, then SIGKILL what is left after ``grace`` seconds."""
        for component in self.components:
            _signal_group(component.process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for component in self.components:
            with contextlib.suppress(subprocess.TimeoutExpired):
                component.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            _signal_group(component.process, signal.SIGKILL)
            component.process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def banner(layout: StandaloneLayout, passwords: dict[str, str], user: str, seconds: float) -> str:
    """The text printed once the product is ready: URL, credentials, token, a curl to paste."""
    url = layout.base_url
    password = passwords.get(user, "<see the passwords file>")
    token_cmd = (
        f"TOKEN=$(curl -s -X POST {url}/auth/token -H 'Content-Type: application/json' "
        f'-d \'{{"username": "{user}", "password": "{password}"}}\' '
        "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"
    )
    return "\n".join(
        [
            f"{READY_LINE} at {url} in {seconds:.1f} s",
            "",
            f"  Airflow UI and API : {url}",
            f"  Wallaroo API       : {url}/v1/api/...   (docs: {url}/v1/docs)",
            f"  user / password    : {user} / {password}",
            f"  passwords file     : {layout.passwords_file}",
            f"  component logs     : {layout.component_logs}",
            "",
            "  Get a token, then call the API:",
            f"    {token_cmd}",
            f'    curl -s -X POST {url}/v1/api/workspaces/list -H "Authorization: Bearer $TOKEN" '
            "-H 'Content-Type: application/json' -d '{}'",
            "",
            "  Ctrl-C stops every component.",
        ]
    )


def run_standalone(home: Path, port: int, ready_timeout: float = 180.0) -> int:
    """Run the embedded product in the foreground until Ctrl-C or SIGTERM; return the exit code."""
    supervisor = Supervisor(StandaloneLayout(home=home.resolve(), port=port))

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    try:
        passwords = supervisor.prepare()
        supervisor.start()
        supervisor.wait_ready(ready_timeout)
        user = simple_auth_users(supervisor.env)[0]
        supervisor.say(banner(supervisor.layout, passwords, user, time.monotonic() - started))
        supervisor.watch()
    except KeyboardInterrupt:
        supervisor.say("airflow-wallaroo standalone: stopping")
        return 0
    except ComponentDied as died:
        supervisor.say(f"airflow-wallaroo standalone: FAILED: {died}")
        return 1
    finally:
        supervisor.stop()
    return 0
