"""Paging and SQL status filters on real runs (the scale itself is bench/api_reads.py's)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.helpers import unique
from tests.support.tasks import ready_example, start_task, wait_task_status

pytestmark = pytest.mark.both_backends  # the status filters are SQL: both dialects


def test_filters_and_pages_on_real_runs(admin: httpx.Client) -> None:
    workspace = admin.post("/workspaces/create", json={"workspace_name": unique("reads")}).json()[
        "workspace_id"
    ]
    hello = ready_example(admin, workspace, "hello")
    ok = start_task(admin, "run_once", workspace, hello, json={})
    slow = start_task(admin, "run_once", workspace, hello, json={"sleep": 60}, timeout=3)
    assert wait_task_status(admin, ok, {"success", "failed", "timed_out"})["status"] == "success"
    assert wait_task_status(admin, slow, {"success", "failed", "timed_out"})["status"] == "timed_out"

    first = admin.post("/task/list", json={"workspace_id": workspace, "limit": 1})
    assert first.headers["X-Total-Count"] == "2" and [t["id"] for t in first.json()] == [slow]
    assert 'rel="next"; limit=1; offset=1' in first.headers["Link"]
    second = admin.post("/task/list", json={"workspace_id": workspace, "limit": 1, "offset": 1})
    assert [t["id"] for t in second.json()] == [ok]
    assert second.json()[0]["last_runs"][0]["status"] == "success"

    def runs(task_id: str, status: str) -> httpx.Response:
        return admin.post("/task/list_task_runs", json={"task_id": task_id, "status": status})

    assert runs(slow, "timed_out").headers["X-Total-Count"] == "1"
    assert runs(slow, "failure").json() == [] and runs(slow, "success").json() == []
    assert [r["status"] for r in runs(ok, "all").json()] == ["success"]

    def listed(statuses: list[str]) -> list[str]:
        answer = admin.post(
            "/orchestration/list_all", json={"workspace_ids": [workspace], "task_run_status": statuses}
        )
        assert answer.status_code == 200, answer.text
        return [e["orchestration"]["id"] for e in answer.json()["orchestrations"]]

    assert listed(["timed_out"]) == [hello] and listed(["success"]) == [hello]
    assert listed(["failure"]) == [] and listed(["killed"]) == []
