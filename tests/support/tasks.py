"""Helpers to create tasks and wait for their states and runs, without fixed sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.archives import zip_example
from tests.support.helpers import unique
from tests.support.orchestrations import upload_ok, wait_for_status


def ready_example(client: httpx.Client, workspace_id: int, example: str = "hello") -> str:
    orchestration_id = upload_ok(client, zip_example(example), workspace_id, name=unique(example))
    ready = wait_for_status(client, orchestration_id, {"ready", "error"}, timeout=600)
    assert ready["status"] == "ready", ready
    return orchestration_id


def wait_until(probe: Callable[[], Any], what: str, timeout: float = 180, interval: float = 0.5) -> Any:
    """Call ``probe`` until it returns something truthy; fail with ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def task(client: httpx.Client, task_id: str) -> dict:
    answer = client.post("/task/get_by_id", json={"id": task_id})
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_task_status(client: httpx.Client, task_id: str, wanted: set[str], timeout: float = 180) -> dict:
    seen: dict = {}

    def probe() -> dict | None:
        nonlocal seen
        seen = task(client, task_id)
        return seen if seen["status"] in wanted else None

    try:
        return wait_until(probe, f"task {task_id} in {wanted}", timeout)
    except AssertionError:
        raise AssertionError(f"task {task_id} never reached {wanted}; last seen {seen}") from None


def runs_of(client: httpx.Client, task_id: str, **filters: Any) -> list[dict]:
    answer = client.post("/task/list_task_runs", json={"task_id": task_id, **filters})
    assert answer.status_code == 200, answer.text
    return answer.json()


def logs(client: httpx.Client, run_id: str, lines: int | None = None) -> list[str]:
    answer = client.post("/task/get_logs_for_run", json={"id": run_id} | ({"lines": lines} if lines else {}))
    assert answer.status_code == 200, answer.text
    return answer.json()["logs"]


def start_task(client: httpx.Client, kind: str, workspace_id: int, orch_id: str, **body: Any) -> str:
    """Create a task of ``kind`` (run_once, run_scheduled, run_continuously); return its id."""
    answer = client.post(f"/task/{kind}", json={"workspace_id": workspace_id, "orch_id": orch_id, **body})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]
