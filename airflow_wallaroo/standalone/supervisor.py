"""Runs Airflow's components as child process groups and keeps them running.

Unlike ``airflow standalone``, it says when it is ready (after the api-server answers
and the scheduler, dag-processor and triggerer heartbeat). A component that dies while
the product runs is restarted, with backoff and a log line saying why; one that keeps
dying right after its start is given up on, and the supervisor exits non-zero naming it.
A component that dies before the product was ever ready fails the start at once.

Shutdown is never cut short: once a SIGTERM or Ctrl-C starts it, further signals are
ignored until every component is gone. If the supervisor itself is killed (even by
SIGKILL), the kernel sends each component SIGTERM (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import ctypes
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
from airflow_wallaroo.core.permissions import PRIVATE, TRAVERSE, make_dir
from airflow_wallaroo.get_provider_info import WALLAROO_OPTIONS
from airflow_wallaroo.standalone import topology
from airflow_wallaroo.standalone.environment import (
    StandaloneLayout,
    build_environment,
    ensure_passwords,
    simple_auth_users,
    write_config,
)
from airflow_wallaroo.standalone.topology import Topology

#: The ``airflow`` command of the interpreter we run under, so a venv need not be on PATH.
AIRFLOW_BIN = str(Path(sys.executable).with_name("airflow"))
READY_LINE = "airflow-wallaroo standalone: ready"
HEALTHY_COMPONENTS = ("metadatabase", "scheduler", "triggerer", "dag_processor")
#: A restarted component that dies again within this many seconds died "at start".
EARLY_DEATH_SECONDS = 30.0
#: Give up on a component after this many early deaths in a row.
MAX_EARLY_DEATHS = 4
BACKOFF_CAP_SECONDS = 30.0
_PR_SET_PDEATHSIG = 1


#: Components whose process group outlives them: it holds running task processes.
KEEP_GROUP_ON_DEATH = frozenset({"scheduler"})

#: How often a running product's components are checked.
WATCH_INTERVAL_SECONDS = 0.5


def backoff(early_deaths: int) -> float:
    """Seconds to wait before restarting a component that died ``early_deaths`` times in a row."""
    return min(2.0 ** (early_deaths - 1), BACKOFF_CAP_SECONDS)


class ComponentDied(Exception):
    """Raised when a component cannot be kept running; the message names it."""


def _die_with_supervisor() -> None:
    """In each component, before exec: SIGTERM when the supervisor goes, however it goes."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class Component:
    """One Airflow component, run as ``airflow <args>`` in its own process group."""

    name: str
    log_path: Path
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    early_deaths: int = 0
    restart_at: float | None = None

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def tail(self, lines: int = 30) -> str:
        try:
            with self.log_path.open("rb") as log:
                return b"".join(deque(log, maxlen=lines)).decode(errors="replace")
        except OSError:
            return ""


@dataclass
class Supervisor:
    """Starts, watches, restarts and stops the embedded product."""

    layout: StandaloneLayout
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    topology: Topology = field(default_factory=Topology)
    env: dict[str, str] = field(default_factory=dict)
    components: list[Component] = field(default_factory=list)
    ready: bool = False

    def __post_init__(self) -> None:
        caller = dict(os.environ)
        defaults = topology.shared_environment(self.topology, caller, self.layout)
        self.env = build_environment(self.layout, base=caller, defaults=defaults)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def prepare(self) -> dict[str, str]:
        """Create the home folders and config, migrate the metadata DB (ours included), set passwords."""
        # User code (another uid) may pass through the home to its data, never list or read it;
        # logs (every task's output) are the components' alone.
        make_dir(self.layout.home, TRAVERSE)
        make_dir(self.layout.home / "logs", PRIVATE)
        for folder in (self.layout.component_logs, self.layout.dags_folder):
            folder.mkdir(parents=True, exist_ok=True)
        write_config(self.layout.config_file, self.env)
        passwords = ensure_passwords(self.layout.passwords_file, simple_auth_users(self.env))
        shards = int(self.env.get("AIRFLOW__WALLAROO__SPEC_SHARDS", WALLAROO_OPTIONS["spec_shards"][0]))
        install_dag_files(Path(self.env["AIRFLOW__CORE__DAGS_FOLDER"]), shards)
        self.say(f"airflow-wallaroo standalone: migrating the metadata DB in {self.layout.home}")
        migrate = subprocess.run(
            [AIRFLOW_BIN, "db", "migrate"], env=self.env, capture_output=True, text=True, check=False
        )
        (self.layout.component_logs / "db-migrate.log").write_text(migrate.stdout + migrate.stderr)
        if migrate.returncode != 0:
            raise ComponentDied(
                f"airflow db migrate failed (exit {migrate.returncode}):\n{migrate.stderr[-4000:]}"
            )
        for name in ("airflow.db", "airflow.db-wal", "airflow.db-shm"):  # the SQLite default
            if (self.layout.home / name).exists():
                (self.layout.home / name).chmod(0o600)
        return passwords

    def start(self) -> None:
        """Start every component in its own process group, its output in its own log file."""
        for plan in topology.components(self.topology, self.env, self.layout):
            component = Component(
                name=plan.name,
                log_path=self.layout.component_logs / f"{plan.name}.log",
                args=plan.args,
                env=plan.env,
            )
            self.components.append(component)
            self._launch(component)

    def _launch(self, component: Component) -> None:
        with component.log_path.open("ab") as log_file:
            component.process = subprocess.Popen(
                [AIRFLOW_BIN, *component.args],
                env={**self.env, **component.env},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_supervisor,
            )
        component.started_at = time.monotonic()
        component.restart_at = None
        self._write_pids()

    def _write_pids(self) -> None:
        """``<home>/logs/components/pids.json``: which process is which component, for operators."""
        pids = {c.name: c.process.pid for c in self.components if c.process is not None}
        target = self.layout.component_logs / "pids.json"
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(pids, indent=1))
        os.replace(temporary, target)

    def check_alive(self) -> None:
        """Restart what died (once the product was ready); give up on what keeps dying."""
        now = time.monotonic()
        for component in self.components:
            if component.restart_at is not None:
                if now >= component.restart_at:
                    self.say(f"airflow-wallaroo standalone: restarting {component.name}")
                    self._launch(component)
                continue
            code = component.exited()
            if code is None:
                if now - component.started_at > EARLY_DEATH_SECONDS:
                    component.early_deaths = 0
                continue
            if not self.ready:
                raise ComponentDied(self._death(component, code))
            # What it leaves behind goes with it: uvicorn workers still holding the
            # api-server's port, parsing or trigger subprocesses. Not the scheduler's: its
            # LocalExecutor task processes are runs, which end by Airflow's own heartbeat
            # checks and stop their user code themselves (killing them would orphan the user
            # code, whose launcher is in a session of its own); see docs/status.md.
            assert component.process is not None
            if component.name not in KEEP_GROUP_ON_DEATH:
                _signal_group(component.process, signal.SIGKILL)
            early = now - component.started_at <= EARLY_DEATH_SECONDS
            component.early_deaths = component.early_deaths + 1 if early else 1
            if component.early_deaths > MAX_EARLY_DEATHS:
                times = MAX_EARLY_DEATHS + 1
                raise ComponentDied(f"{self._death(component, code)}\n(it died {times} times in a row)")
            # The first death of a component that ran a while is restarted at once: the API is
            # back sooner. Only one that keeps dying at start waits, 2, 4, 8... s.
            delay = 0.0 if component.early_deaths == 1 else backoff(component.early_deaths)
            when = "at once" if delay == 0 else f"in {delay:.0f} s"
            self.say(
                f"airflow-wallaroo standalone: {component.name} exited with code {code}; "
                f"restarting it {when} (see {component.log_path})"
            )
            component.restart_at = now + delay

    def _death(self, component: Component, code: int) -> str:
        tail = component.tail()
        return f"{component.name} exited with code {code}; last lines of {component.log_path}:\n{tail}"

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
                self.ready = True
                return time.monotonic() - started
            time.sleep(0.5)
        raise ComponentDied(f"not ready after {timeout:.0f} s; see the logs in {self.layout.component_logs}")

    def watch(self) -> None:
        while True:
            self.check_alive()
            time.sleep(WATCH_INTERVAL_SECONDS)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM every process group, then SIGKILL what is left after ``grace`` seconds."""
        running = [c.process for c in self.components if c.process is not None]
        for process in running:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            _signal_group(process, signal.SIGKILL)
            process.wait()


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
            f"  AIRFLOW_HOME       : {layout.home}   (airflow and airflow-wallaroo commands use it)",
            "",
            "  Get a token, then call the API:",
            f"    {token_cmd}",
            f'    curl -s -X POST {url}/v1/api/workspaces/list -H "Authorization: Bearer $TOKEN" '
            "-H 'Content-Type: application/json' -d '{}'",
            "",
            "  Ctrl-C stops every component.",
        ]
    )


class _Stopping(Exception):
    """The first SIGTERM or Ctrl-C: leave the watch loop and shut down."""


def run_standalone(home: Path, port: int, ready_timeout: float = 180.0, plan: Topology | None = None) -> int:
    """Run the product in the foreground until Ctrl-C or SIGTERM; return the exit code."""
    try:
        supervisor = Supervisor(StandaloneLayout(home=home.resolve(), port=port), topology=plan or Topology())
    except topology.TopologyError as problem:
        print(f"airflow-wallaroo standalone: {problem}", file=sys.stderr)
        return 2

    def _stop_requested(signum: int, _frame: object) -> None:
        # The first signal starts the shutdown; the rest (make forwards its own) must not cut it short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise _Stopping

    signal.signal(signal.SIGTERM, _stop_requested)
    signal.signal(signal.SIGINT, _stop_requested)
    started = time.monotonic()
    code = 0
    try:
        passwords = supervisor.prepare()
        supervisor.start()
        supervisor.wait_ready(ready_timeout)
        user = simple_auth_users(supervisor.env)[0]
        supervisor.say(banner(supervisor.layout, passwords, user, time.monotonic() - started))
        supervisor.watch()
    except _Stopping:
        supervisor.say("airflow-wallaroo standalone: stopping")
    except ComponentDied as died:
        supervisor.say(f"airflow-wallaroo standalone: FAILED: {died}")
        code = 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        supervisor.stop()
    return code
