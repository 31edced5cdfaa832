"""The ``airflow-wallaroo`` HTTP commands end to end: the real console script against the real stack.

Each command runs as its own process (``python -m airflow_wallaroo.cli``), as a user runs it,
with the URL and token from the login file that ``login`` wrote.
"""

from __future__ import annotations

import json
import os
import queue
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.archives import EXAMPLES
from tests.support.helpers import unique
from tests.support.stack import AirflowStack
from tests.support.tasks import wait_task_status, wait_until

# The CLI is an HTTP client: the database behind the server changes nothing it does, so its
# tests run on the SQLite stack only (the default; not marked both_backends).


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


class Cli:
    """Runs ``airflow-wallaroo`` as a subprocess with its own login file."""

    def __init__(self, config_home: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("WALLAROO_", "AIRFLOW"))}
        self.env |= {"XDG_CONFIG_HOME": str(config_home), "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}

    def command(self, *argv: str) -> list[str]:
        return [sys.executable, "-m", "airflow_wallaroo.cli", *argv]

    def __call__(self, *argv: str, stdin: str | None = None, timeout: float = 300) -> Result:
        done = subprocess.run(
            self.command(*argv),
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def ok(self, *argv: str, stdin: str | None = None, timeout: float = 300) -> Result:
        result = self(*argv, stdin=stdin, timeout=timeout)
        assert result.code == 0, (argv, result)
        return result

    def popen(self, *argv: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*argv),
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )


@pytest.fixture(scope="module")
def logged_in(stack: AirflowStack, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The CLI after ``login`` with the admin's password on stdin."""
    cli = Cli(tmp_path_factory.mktemp("xdg"))
    result = cli.ok(
        "--url",
        stack.base_url,
        "login",
        "-u",
        "admin",
        "--password-stdin",
        stdin=stack.password("admin") + "\n",
    )
    assert "logged in" in result.out
    return cli


@pytest.fixture(scope="module")
def workspace(logged_in: Cli) -> int:
    created = logged_in.ok("ws", "create", unique("cli"), "--json").json()
    assert isinstance(created, dict)
    return int(created["workspace_id"])


@pytest.fixture(scope="module")
def uploaded(logged_in: Cli, workspace: int) -> tuple[dict, Result]:
    """``orch upload examples/hello --wait``: the final orchestration, and what the command printed."""
    result = logged_in(
        "orch",
        "upload",
        str(EXAMPLES / "hello"),
        "-w",
        str(workspace),
        "--name",
        unique("hello"),
        "--wait",
        "--json",
        timeout=900,
    )
    assert result.code == 0, result
    orchestration = result.json()
    assert isinstance(orchestration, dict)
    return orchestration, result


def _first_run(cli: Cli, task_id: str) -> str:
    def probe() -> str | None:
        runs = cli.ok("task", "runs", task_id, "--json").json()
        assert isinstance(runs, list)
        return runs[0]["run_id"] if runs else None

    return wait_until(probe, f"a run of task {task_id}", timeout=180, interval=1)


def _read_lines(process: subprocess.Popen[str]) -> queue.Queue[tuple[float, str | None]]:
    """Each stdout line with the time it arrived; None once the stream closes."""
    lines: queue.Queue[tuple[float, str | None]] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put((time.monotonic(), line.rstrip("\n")))
        lines.put((time.monotonic(), None))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _collect(
    lines: queue.Queue[tuple[float, str | None]], timeout: float, until: str | None = None
) -> Iterator[tuple[float, str]]:
    deadline = time.monotonic() + timeout
    while True:
        arrived, line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if line is None:
            return
        yield arrived, line
        if until is not None and until in line:
            return


class TestLogin:
    def test_the_login_file_is_private_and_used(self, stack: AirflowStack, logged_in: Cli) -> None:
        path = Path(logged_in.env["XDG_CONFIG_HOME"]) / "airflow-wallaroo" / "config.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert json.loads(path.read_text())["url"] == stack.base_url
        listed = logged_in.ok("ws", "list", "--json").json()
        assert isinstance(listed, dict)
        assert "admin - Default Workspace" in [w["name"] for w in listed["workspaces"]]
        table = logged_in.ok("ws", "list").out
        assert "admin - Default Workspace" in table and "CREATED BY" in table

    def test_a_wrong_password(self, stack: AirflowStack, tmp_path: Path) -> None:
        result = Cli(tmp_path)("--url", stack.base_url, "login", "-u", "admin", "-p", "wrong")
        assert result.code == 4, result
        assert "error:" in result.err and not (tmp_path / "airflow-wallaroo").exists()

    def test_a_bad_token_is_not_authenticated(self, stack: AirflowStack, tmp_path: Path) -> None:
        result = Cli(tmp_path)("--url", stack.base_url, "--token", "not-a-jwt", "ws", "list")
        assert result.code == 4 and "not authenticated" in result.err, result


class TestOrchestrations:
    def test_upload_wait_shows_progress_then_packaging_until_ready(
        self, uploaded: tuple[dict, Result]
    ) -> None:
        orchestration, result = uploaded
        assert orchestration["status"] == "ready" and orchestration["msg"] is None
        assert "uploading hello" in result.err
        statuses = [line.split()[1] for line in result.err.splitlines() if line.startswith("packaging: ")]
        assert statuses[-1] == "ready" and statuses == list(
            dict.fromkeys(statuses)
        )  # each status once, in order

    def test_list_get_and_download(
        self, logged_in: Cli, workspace: int, uploaded: tuple[dict, Result], tmp_path: Path
    ) -> None:
        orchestration, _ = uploaded
        listed = logged_in.ok("orch", "list", "-w", str(workspace), "--json").json()
        assert isinstance(listed, list) and [o["id"] for o in listed] == [orchestration["id"]]
        shown = logged_in.ok("orch", "get", orchestration["id"]).out
        assert orchestration["sha"] in shown and "ready" in shown
        assert f"/dags/wallaroo_packaging/runs/{orchestration['task_id']}/tasks/build_environment" in shown
        target = tmp_path / "copy.zip"
        downloaded = logged_in.ok(
            "orch", "download", orchestration["id"], "--file", str(target), "--json"
        ).json()
        assert isinstance(downloaded, dict) and downloaded["sha"] == orchestration["sha"]
        assert target.stat().st_size == orchestration["file_size"]

    def test_packaging_that_fails_exits_5_with_the_build_tail(
        self, logged_in: Cli, workspace: int, tmp_path: Path
    ) -> None:
        broken = tmp_path / "broken"
        broken.mkdir()
        (broken / "main.py").write_text("print('never runs')\n")
        (broken / "requirements.txt").write_text("this-package-does-not-exist-wallaroo==0.0.1\n")
        result = logged_in("orch", "upload", str(broken), "-w", str(workspace), "--wait", timeout=900)
        assert result.code == 5, result
        assert "packaging failed" in result.err and "this-package-does-not-exist-wallaroo" in result.err

    def test_an_unknown_orchestration_prints_the_servers_msg(self, logged_in: Cli) -> None:
        result = logged_in("orch", "get", str(uuid.uuid4()))
        assert result.code == 1 and "(HTTP 404)" in result.err and result.out == "", result


class TestTasks:
    def test_run_once_then_follow_its_logs_as_they_come(
        self, logged_in: Cli, uploaded: tuple[dict, Result]
    ) -> None:
        orchestration, _ = uploaded
        created = logged_in.ok(
            "task", "run-once", orchestration["id"], "--json", "-", "--name", "ticks", stdin='{"sleep": 12}'
        )
        task_id = created.out.strip()
        uuid.UUID(task_id)  # stdout holds the id alone
        run_id = _first_run(logged_in, task_id)
        with logged_in.popen("task", "logs", run_id, "--follow", "--interval", "0.5") as follower:
            lines = list(_collect(_read_lines(follower), timeout=300))
            assert follower.wait(timeout=60) == 0
            assert follower.stderr is not None and f"run {run_id} ended: success" in follower.stderr.read()
        texts = [line.split(" F ", 1)[1] for _, line in lines]
        ticks = [t for t in texts if t.startswith("hello: tick ")]
        assert ticks == [f"hello: tick {n}" for n in range(1, 13)], texts
        assert texts[-1] == "hello: done"
        # Lines came as they were printed, not all at the end: tick 1 arrived seconds before "done".
        first_tick = next(arrived for arrived, line in lines if line.endswith("hello: tick 1"))
        assert lines[-1][0] - first_tick >= 4, [(round(a - lines[0][0], 1), line) for a, line in lines]
        shown = logged_in.ok("task", "get", task_id).out
        assert "success" in shown and f"wallaroo_task_{task_id}" in shown

    def test_kill_stops_a_followed_run(
        self, stack: AirflowStack, admin: httpx.Client, logged_in: Cli, uploaded: tuple[dict, Result]
    ) -> None:
        orchestration, _ = uploaded
        task_id = logged_in.ok(
            "task", "run-once", orchestration["id"], "--json", '{"sleep": 600}'
        ).out.strip()
        run_id = _first_run(logged_in, task_id)
        with logged_in.popen(
            "task", "logs", run_id, "--follow", "--task", task_id, "--interval", "0.5"
        ) as follower:
            lines = _read_lines(follower)
            seen = [line for _, line in _collect(lines, timeout=240, until="hello: tick 2")]
            assert seen and seen[-1].endswith("hello: tick 2"), seen
            killed = logged_in.ok("task", "kill", task_id)
            assert killed.out.strip() == f"task {task_id}: pending_kill"
            # The follower notices the run ended and exits by itself.
            list(_collect(lines, timeout=240))
            assert follower.wait(timeout=60) == 0
            assert follower.stderr is not None and f"run {run_id} ended:" in follower.stderr.read()
        assert wait_task_status(admin, task_id, {"killed"}, timeout=180)["killed"] is True
        runs = logged_in.ok("task", "runs", task_id, "--json").json()
        assert isinstance(runs, list) and runs[0]["status"] in {"killed", "failure"}

    def test_pause_and_resume_a_scheduled_task(self, logged_in: Cli, uploaded: tuple[dict, Result]) -> None:
        orchestration, _ = uploaded
        task_id = logged_in.ok(
            "task", "schedule", orchestration["id"], "--schedule", "0 0 1 1 *", "--json", "{}"
        ).out.strip()
        paused = logged_in.ok("task", "pause", task_id, "--json").json()
        assert isinstance(paused, dict) and paused["status"] in {"pending_pause", "paused"}
        resumed = logged_in.ok("task", "resume", task_id, "--json").json()
        assert isinstance(resumed, dict) and resumed["status"] in {"pending_resume", "started", "pending"}
        listed = logged_in.ok("task", "list", "--orch", orchestration["id"]).out
        assert task_id in listed and "scheduled" in listed and "0 0 1 1 *" in listed
        assert logged_in.ok("task", "kill", task_id).code == 0
