"""``airflow-wallaroo standalone`` as a user runs it: readiness, dying components, Ctrl-C, crashes.

These start stacks of their own (SQLite): they kill and restart what the shared stack needs.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.stack import SIMPLE_AUTH_USERS, AirflowStack, free_port
from tests.support.tasks import wait_until

REPO = Path(__file__).parents[2]
STANDALONE = [sys.executable, "-m", "airflow_wallaroo.cli", "standalone"]
pytestmark = pytest.mark.slow


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def all_gone(processes: list[psutil.Process]) -> bool:
    return not [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def api_answers(stack: AirflowStack) -> bool:
    try:
        health = httpx.get(f"{stack.base_url}/api/v2/monitor/health", timeout=5).json()
        healthy = all(health[c]["status"] == "healthy" for c in ("scheduler", "triggerer", "dag_processor"))
        with stack.client("admin") as admin:
            return healthy and admin.post("/workspaces/list", json={}).status_code == 200
    except (httpx.HTTPError, KeyError, ValueError):
        return False


#: Where Airflow's health report says when each component last heartbeat.
HEARTBEATS = {
    "scheduler": ("scheduler", "latest_scheduler_heartbeat"),
    "dag-processor": ("dag_processor", "latest_dag_processor_heartbeat"),
    "triggerer": ("triggerer", "latest_triggerer_heartbeat"),
}


def came_back(stack: AirflowStack, name: str, old_pid: int, killed_at: datetime) -> bool:
    """A new process runs the component, it heartbeats since the kill, and the API answers."""
    try:
        new = stack.component(name)
        if new.pid == old_pid or not new.is_running():
            return False
        if name in HEARTBEATS:
            part, field = HEARTBEATS[name]
            health = httpx.get(f"{stack.base_url}/api/v2/monitor/health", timeout=5).json()
            beat = health[part][field]
            if beat is None or datetime.fromisoformat(beat) <= killed_at:
                return False
    except (httpx.HTTPError, KeyError, TypeError, ValueError, LookupError, psutil.Error):
        return False
    return api_answers(stack)


def test_a_component_that_dies_at_start_stops_everything_and_names_itself(tmp_path: Path) -> None:
    # The api-server cannot bind a port that something else holds: it exits, and so must we.
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        process = subprocess.run(
            [*STANDALONE, "--home", str(tmp_path), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert process.returncode == 1, process.stdout + process.stderr
    assert "FAILED: api-server exited with code" in process.stdout
    assert "Traceback" not in process.stdout.split("FAILED")[0]


def test_two_sigterms_to_make_runs_process_group_stop_every_component(tmp_path: Path) -> None:
    """Observed: make forwards a second SIGTERM, which cut the shutdown short and left the
    api-server (still on its port), the dag-processor and the triggerer running."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": SIMPLE_AUTH_USERS})
    output = tmp_path / "make-run.out"
    with output.open("wb") as out:
        make = subprocess.Popen(
            ["make", "-C", str(REPO), "run", f"PORT={port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        ready = lambda: "standalone: ready" in output.read_text()  # noqa: E731
        wait_until(ready, "make run to be ready", timeout=240, interval=1)
        everything = psutil.Process(make.pid).children(recursive=True)
        names = " | ".join(" ".join(p.cmdline()) for p in everything).replace("_", "-")
        for component in ("scheduler", "dag-processor", "triggerer", "api-server"):
            assert component in names, names
        os.killpg(make.pid, signal.SIGTERM)
        time.sleep(0.3)
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)
        wait_until(lambda: all_gone(everything), "every component to stop", timeout=20, interval=0.5)
        assert port_is_free(port)
    finally:
        for process in psutil.Process().children(recursive=True):
            if process.pid == make.pid or make.pid in [p.pid for p in process.parents()]:
                process.kill()


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[AirflowStack]:
    stack = AirflowStack(home=tmp_path / "home", backend="sqlite")
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def start_a_slow_upload(stack: AirflowStack) -> socket.socket:
    """An upload whose body trickles in: headers and the first bytes of the file, then nothing."""
    boundary = "slow-upload"
    head = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'
            f"{json.dumps({'workspace_id': 1})}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.zip"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"PK"
        + b"\0" * 4096
    )
    request = (
        f"POST /v1/api/orchestration/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {stack.token('admin')}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + 10_000_000}\r\n\r\n"
    ).encode()
    connection = socket.create_connection(("127.0.0.1", stack.port))
    connection.sendall(request + head)
    return connection


def test_each_component_killed_comes_back_and_a_killed_supervisor_takes_them_along(
    own_stack: AirflowStack,
) -> None:
    """Observed: one component's death took the product down until a restart by hand."""
    incoming = own_stack.data_folder / "incoming"
    for name in ("scheduler", "dag-processor", "triggerer", "api-server"):
        upload = start_a_slow_upload(own_stack) if name == "api-server" else None
        if upload is not None:
            wait_until(lambda: list(incoming.glob(".tmp-upload-*")), "the partial upload on disk", timeout=30)
        old_pid = own_stack.component(name).pid
        os.kill(old_pid, signal.SIGKILL)
        killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
        wait_until(
            lambda: came_back(own_stack, name, old_pid, killed_wall),  # noqa: B023
            f"{name} to be back",
            timeout=60,
            interval=0.25,
        )
        back_after = time.monotonic() - killed_at
        print(f"\n{name} killed: back (new process heartbeating, API answering) after {back_after:.1f} s")
        assert back_after < 30, f"{name}: the API was back after {back_after:.0f} s"
        if upload is not None:
            upload.close()
            # The restarted api-server swept the partial upload its predecessor left: nobody holds its lock.
            assert list(incoming.glob(".tmp-upload-*")) == []
    assert "restarting api-server" in own_stack.output_path.read_text()
    assert own_stack.process is not None
    components = psutil.Process(own_stack.process.pid).children(recursive=True)
    os.kill(own_stack.process.pid, signal.SIGKILL)
    own_stack.process.wait(timeout=10)
    wait_until(lambda: all_gone(components), "the components to die with it", timeout=20, interval=0.5)
    assert port_is_free(own_stack.port)
