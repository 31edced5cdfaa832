"""What a notebook user runs with the real Wallaroo SDK, recorded step by step.

Runs in the SDK's own venv (never the project's), against a running server:

    python sdk_workflow.py <report.json>

with ``WALLAROO_URL``, ``WALLAROO_SDK_CREDENTIALS`` (a token credentials file),
``COMPAT_USER``/``COMPAT_PASSWORD`` (for ``user_password``), ``COMPAT_ARCHIVE`` (a ZIP of
``examples/hello``) and ``COMPAT_WORKSPACE`` (a fresh workspace name) in the environment.
Each step records what the SDK returned (or the error it raised) in the report; the
pytest side asserts on it. A failed step stops the workflow: later steps depend on it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from typing import Any

import wallaroo

REPORT: dict[str, Any] = {}
URL = os.environ["WALLAROO_URL"]
TERMINAL = {"success", "failed", "timed_out", "killed", "crash_loop", "schedule_error"}


def step(name: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one step; record its observations, or the error that stopped the workflow."""
    started = time.monotonic()
    try:
        observed = action()
    except BaseException as exc:  # record anything, then stop: the report says what failed
        REPORT[name] = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        raise
    REPORT[name] = {**observed, "seconds": round(time.monotonic() - started, 1)}
    return observed


def wait_for(read: Callable[[], str], wanted: set[str], timeout: float, poll: float = 0.5) -> list[str]:
    """Poll ``read`` until it answers one of ``wanted``; return every status seen, in order."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        status = read()
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in wanted:
            return seen
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"still {status!r} after {timeout} s (seen {seen}); wanted one of {sorted(wanted)}"
            )
        time.sleep(poll)


def main() -> None:
    name = os.environ["COMPAT_WORKSPACE"]
    archive = os.environ["COMPAT_ARCHIVE"]
    state: dict[str, Any] = {}

    def client_and_workspace() -> dict[str, Any]:
        client = wallaroo.Client(api_endpoint=URL, auth_type="token")
        workspace = client.create_workspace(name)
        current = client.set_current_workspace(workspace)
        listed = client.list_workspaces()
        state.update(client=client, workspace=workspace)
        mine = [w for w in listed if w.id() == workspace.id()]
        return {
            "user_id": client.auth.user_id(),
            "workspace_id": workspace.id(),
            "workspace_name": workspace.name(),  # GraphQL WorkspaceById
            "current_workspace_id": client.get_current_workspace().id(),
            "set_returned_id": current.id(),
            "listed_names": [w.name() for w in listed],
            "listed_mine": [w.to_json() for w in mine],  # to_json: models()/pipelines() through GraphQL
            "repr": repr(workspace),
        }

    step("client_workspace", client_and_workspace)
    client, workspace = state["client"], state["workspace"]

    def workspace_lookups() -> dict[str, Any]:
        found = client.get_workspace(name)
        again = client.get_workspace(name, create_if_not_exist=True)
        try:
            client.create_workspace(name)
            duplicate = "created twice"
        except Exception as exc:  # noqa: BLE001 - the SDK raises bare Exception for any non-200 answer
            duplicate = str(exc)
        fresh = wallaroo.Client(api_endpoint=URL, auth_type="token")
        default = fresh.get_current_workspace()  # GraphQL UserDefaultWorkspace
        return {
            "get_workspace_id": found.id(),
            "get_or_create_id": again.id(),
            "duplicate_create": duplicate,
            "default_workspace_name": default.name(),
            "default_workspace_users": [u["user_id"] for u in default._users],
        }

    step("workspace_lookups", workspace_lookups)

    def upload() -> dict[str, Any]:
        orchestration = client.upload_orchestration(path=archive, name="hello-sdk")
        statuses = wait_for(orchestration.status, {"ready", "error"}, timeout=300)
        state["orchestration"] = orchestration
        return {
            "id": orchestration.id(),
            "name": orchestration.name(),
            "file_name": orchestration.file_name(),
            "sha": orchestration.sha(),
            "workspace_id": orchestration.workspace_id(),
            "statuses": statuses,
        }

    step("upload_orchestration", upload)
    orchestration = state["orchestration"]

    def run_once() -> dict[str, Any]:
        task = orchestration.run_once(name="once-sdk", json_args={"greeting": "hi sdk"}, timeout=120)
        statuses = wait_for(task.status, TERMINAL, timeout=300)
        runs = task.last_runs()  # sends "status": null and "limit": null
        all_runs = task.last_runs(status="all", limit=5)
        successes = task.last_runs(status="success")
        failures = task.last_runs(status="failure")
        logs = runs[0].logs()
        state["once"] = task
        return {
            "task_id": task.id(),
            "statuses": statuses,
            "runs": [{"run_id": r._pod_id, "status": r._status, "task": r._task} for r in runs],
            "all_runs": len(all_runs),
            "success_runs": len(successes),
            "failure_runs": len(failures),
            "logs": list(logs),
            "logs_last_line": list(runs[0].logs(limit=1)),
            "run_html": runs[0]._repr_html_(),  # get_run_details
            "runs_html": runs._repr_html_(),
        }

    step("run_once", run_once)

    def run_scheduled() -> dict[str, Any]:
        task = orchestration.run_scheduled(
            name="every-minute-sdk", schedule="*/1 * * * *", json_args={"greeting": "tick"}, timeout=60
        )
        # Wait for `started` before pausing: a pause sent before the task's DAG exists is
        # lost today (server bug fixed separately by the lead), and _pause() would then hang.
        started = wait_for(task.status, {"started"} | TERMINAL, timeout=300)
        paused = task._pause()
        paused_status = task.status()
        resumed = task._resume()
        resumed_status = task.status()
        kill_answer = task.kill()
        killed = wait_for(task.status, {"killed"}, timeout=300)
        state["scheduled"] = task
        return {
            "task_id": task.id(),
            "before_pause": started,
            "pause_returned_same_task": paused is task,
            "after_pause": paused_status,
            "resume_returned_same_task": resumed is task,
            "after_resume": resumed_status,
            "kill_answer": str(kill_answer),
            "after_kill": killed,
        }

    step("run_scheduled", run_scheduled)

    def run_continuously() -> dict[str, Any]:
        task = orchestration.run_continuously(name="forever-sdk", json_args={"sleep": 30})
        started = wait_for(task.status, {"started"} | TERMINAL, timeout=300)
        kill_answer = task.kill()
        killed = wait_for(task.status, {"killed"}, timeout=300)
        state["continuous"] = task
        return {
            "task_id": task.id(),
            "before_kill": started,
            "kill_answer": str(kill_answer),
            "after_kill": killed,
        }

    step("run_continuously", run_continuously)

    def listings() -> dict[str, Any]:
        orchestrations = client.list_orchestrations()
        in_workspace = client.list_orchestrations(workspace_id=workspace.id())
        by_name = client.list_orchestrations(workspace_name=name)
        live = client.list_tasks()
        killed = client.list_tasks(killed=True)
        of_orchestration = orchestration.list_tasks()
        return {
            "orchestration_ids": [o.id() for o in orchestrations],
            "in_workspace_ids": [o.id() for o in in_workspace],
            "by_name_ids": [o.id() for o in by_name],
            "orchestrations_html": in_workspace._repr_html_(),
            "live_task_ids": [t.id() for t in live],
            "killed_task_ids": [t.id() for t in killed],
            "killed_flags": [t._killed for t in killed],
            "orchestration_task_ids": [t.id() for t in of_orchestration],
            "tasks_html": killed._repr_html_(),
        }

    step("listings", listings)

    def task_details() -> dict[str, Any]:
        once = state["once"]
        task = client.get_task_by_id(once.id())
        return {
            "id": task.id(),
            "name": task.name(),
            "task_type": task.task_type(),
            "input_data": task.input_data(),
            "workspace_id": task.workspace_id(),
            "status": task.status(),
            "task_html": task._repr_html_(),
            "orchestration_html": orchestration._repr_html_(),  # GraphQL GetOrchestration + WorkspaceById
        }

    step("task_details", task_details)

    def user_password() -> dict[str, Any]:
        os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="sdk-cache-")  # where the SDK keeps the token
        os.environ["WALLAROO_USER"] = os.environ["COMPAT_USER"]
        os.environ["WALLAROO_PASSWORD"] = os.environ["COMPAT_PASSWORD"]
        try:
            logged_in = wallaroo.Client(api_endpoint=URL, auth_type="user_password")
        finally:
            del os.environ["WALLAROO_USER"], os.environ["WALLAROO_PASSWORD"]
        first = logged_in.auth._access_token()
        names = [w.name() for w in logged_in.list_workspaces()]
        cache = os.path.join(os.environ["XDG_CACHE_HOME"], "wallaroo_sdk", "auth", "keycloak.json")
        with open(cache) as file:
            cached = json.load(file)
        logged_in.auth._force_reload()  # expires the token: the SDK refreshes with its refresh token
        second = logged_in.auth._access_token()
        names_after = [w.name() for w in logged_in.list_workspaces()]
        return {
            "user_id": logged_in.auth.user_id(),
            "user_email": logged_in.auth.user_email(),
            "sees_workspace": name in names and name in names_after,
            "cached_keys": sorted(cached),
            "refreshed_token_differs": first.token != second.token,
            "refresh_tokens_differ": first.refresh_token != second.refresh_token,
            "default_workspace": logged_in.get_current_workspace().name(),
        }

    step("user_password", user_password)

    def sso() -> dict[str, Any]:
        os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="sdk-cache-")
        try:
            wallaroo.Client(api_endpoint=URL, auth_type="sso")
            return {"refused": None}
        except Exception as exc:  # noqa: BLE001 - report whatever the SDK raises
            return {"refused": f"{type(exc).__name__}: {exc}"}

    step("sso", sso)


if __name__ == "__main__":
    try:
        main()
    finally:
        with open(sys.argv[1], "w") as out:
            json.dump(REPORT, out, indent=2, default=str)
