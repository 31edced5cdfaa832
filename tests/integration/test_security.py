"""The boundary around user code and what the embedded default exposes, tried as an attacker.

User code runs as its workspace's own uid (the components run as root here, as in CI) with
nothing of the components' environment: each thing a hostile orchestration tries is
refused, and the test asserts on what the code itself reports.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import upload_ok, wait_for_status
from tests.support.stack import AirflowStack
from tests.support.tasks import logs, ready_example, runs_of, start_task, wait_task_status

HOSTILE = r"""
import json, os, sys
from pathlib import Path

args = json.loads(Path(os.environ["WALLAROO_ARGUMENTS_PATH"]).read_text())
found = {}

def attempt(name, action):
    try:
        action()
        found[name] = "ALLOWED"
    except OSError as exc:
        found[name] = f"refused ({type(exc).__name__})"

attempt("read airflow.cfg", lambda: Path(args["home"], "airflow.cfg").read_text())
attempt("read the passwords file", lambda: Path(args["passwords"]).read_text())
attempt("read the database", lambda: Path(args["home"], "airflow.db").read_bytes())
attempt("list the logs", lambda: os.listdir(Path(args["home"], "logs")))
attempt("read another workspace's archive", lambda: Path(args["archive"]).read_bytes())
attempt("list the archives", lambda: os.listdir(Path(args["archive"]).parent))
attempt("list another workspace's run dir", lambda: os.listdir(args["other_run"]))
attempt("read another workspace's run", lambda: Path(args["other_run"], "main.py").read_text())
attempt("read the specs", lambda: os.listdir(args["specs"]))
scheduler = Path("/proc", str(args["scheduler_pid"]), "environ")
attempt("read the scheduler's environment", lambda: scheduler.read_bytes())
attempt("write into the dags folder", lambda: Path(args["dags"], "evil.py").write_text("x"))
attempt("write into the spec folder", lambda: Path(args["specs"], "shard_00", "evil.json").write_text("{}"))
found["uid"] = os.getuid()
found["environment"] = sorted(os.environ)
found["own files"] = sorted(os.listdir("."))
print("HOSTILE " + json.dumps(found), flush=True)
"""

REFUSED = [
    "read airflow.cfg",
    "read the passwords file",
    "read the database",
    "list the logs",
    "read another workspace's archive",
    "list the archives",
    "list another workspace's run dir",
    "read another workspace's run",
    "read the specs",
    "read the scheduler's environment",
    "write into the dags folder",
    "write into the spec folder",
]


@pytest.fixture
def sqlite_only(stack: AirflowStack) -> None:
    if stack.backend != "sqlite":
        pytest.skip("isolation is the runner's, not the database's: run once, on SQLite")


def workspace_of(client: httpx.Client) -> int:
    answer = client.post("/workspaces/create", json={"workspace_name": unique("sec")})
    assert answer.status_code == 200, answer.text
    workspace: int = answer.json()["workspace_id"]
    return workspace


@pytest.mark.usefixtures("sqlite_only")
def test_hostile_code_reaches_nothing_of_the_platform_or_other_workspaces(
    stack: AirflowStack, admin: httpx.Client, bob: httpx.Client
) -> None:
    """Observed: bob's main.py printed jwt_secret, the passwords, the database, everyone's archives."""
    assert os.geteuid() == 0, "the components run as root here (as in CI): isolation is what is tested"
    victim_ws = workspace_of(admin)
    victim_orch = ready_example(admin, victim_ws, "hello")
    victim_task = start_task(admin, "run_once", victim_ws, victim_orch, json={"secret": "s3cr3t"})
    wait_task_status(admin, victim_task, {"success"}, timeout=180)
    victim_run = runs_of(admin, victim_task)[0]["run_id"]
    sha = admin.post("/orchestration/get_by_id", json={"id": victim_orch}).json()["sha"]

    attacker_ws = workspace_of(bob)
    hostile = upload_ok(bob, zip_files({"main.py": HOSTILE}), attacker_ws, name=unique("hostile"))
    assert wait_for_status(bob, hostile, {"ready", "error"}, timeout=300)["status"] == "ready"
    arguments = {
        "home": str(stack.home),
        "passwords": str(stack.home / "simple_auth_manager_passwords.json.generated"),
        "archive": str(stack.data_folder / "artifacts" / "archives" / f"{sha}.zip"),
        "other_run": str(stack.data_folder / "runs" / victim_task / victim_run),
        "specs": str(stack.data_folder / "specs"),
        "dags": str(stack.home / "dags"),
        "scheduler_pid": stack.component("scheduler").pid,
    }
    task_id = start_task(bob, "run_once", attacker_ws, hostile, json=arguments)
    wait_task_status(bob, task_id, {"success", "failed"}, timeout=180)
    lines = logs(bob, runs_of(bob, task_id)[0]["run_id"])
    report = json.loads(next(line for line in lines if " HOSTILE " in line).split(" HOSTILE ", 1)[1])
    for attempt in REFUSED:
        assert report[attempt].startswith("refused"), (attempt, report[attempt])
    assert report["uid"] not in (0, os.geteuid())
    environment = set(report["environment"])
    assert not {name for name in environment if name.startswith("AIRFLOW")}, environment
    assert {"WALLAROO_TASK_ID", "WALLAROO_ARGUMENTS_PATH", "PATH", "HOME"} <= environment
    assert "main.py" in report["own files"]


@pytest.mark.usefixtures("sqlite_only")
def test_the_embedded_default_exposes_nothing_beyond_loopback_and_keeps_its_secrets_private(
    stack: AirflowStack,
) -> None:
    """Observed: log servers listened on 0.0.0.0, and the generated jwt_secret was 24 bytes."""
    assert stack.process is not None
    processes = [
        psutil.Process(stack.process.pid),
        *psutil.Process(stack.process.pid).children(recursive=True),
    ]
    listening = {
        (conn.laddr.ip, conn.laddr.port)
        for process in processes
        for conn in process.net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN
    }
    assert listening and all(ip in ("127.0.0.1", "::1") for ip, _ in listening), listening
    config = (stack.home / "airflow.cfg").read_text()
    secret = next(
        line.split("=", 1)[1].strip() for line in config.splitlines() if line.startswith("jwt_secret")
    )
    assert len(secret) >= 43  # 32 bytes, base64
    for private in ("airflow.cfg", "simple_auth_manager_passwords.json.generated", "airflow.db"):
        mode = stat.S_IMODE((stack.home / private).stat().st_mode)
        assert mode == 0o600, (private, oct(mode))
    for folder in (stack.home / "logs", stack.data_folder / "specs", stack.data_folder / "artifacts"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_error_never_names_an_id_the_caller_cannot_see(
    admin: httpx.Client, bob: httpx.Client, stack: AirflowStack
) -> None:
    """Observed: logs of another user's run answered 403 naming that run's task id."""
    workspace = workspace_of(admin)
    task_id = start_task(admin, "run_once", workspace, ready_example(admin, workspace, "hello"), json={})
    wait_task_status(admin, task_id, {"success"}, timeout=180)
    run_id = runs_of(admin, task_id)[0]["run_id"]
    body = assert_error(bob.post("/task/get_logs_for_run", json={"id": run_id}), 403, run_id)
    assert task_id not in body["msg"]


def test_files_in_a_workspace_run_belong_to_its_own_user(
    stack: AirflowStack, sqlite_only: None, admin: httpx.Client
) -> None:
    def run_folders() -> list[Path]:
        return [p for p in (stack.data_folder / "runs").glob("*/*") if p.is_dir()]

    if not run_folders():  # run alone: no earlier test ran a task on this stack yet
        workspace = workspace_of(admin)
        task_id = start_task(admin, "run_once", workspace, ready_example(admin, workspace, "hello"), json={})
        wait_task_status(admin, task_id, {"success"}, timeout=180)
    runs = run_folders()
    assert runs
    for run in runs:
        info = run.stat()
        assert info.st_uid >= 100_000_000 and stat.S_IMODE(info.st_mode) == 0o700, (run, info.st_uid)
    assert Path(stack.data_folder / "runs").stat().st_mode & 0o777 == 0o711
