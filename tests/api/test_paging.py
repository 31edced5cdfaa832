"""Every list endpoint is bounded: limit/offset in the body, page facts in headers.

Runs are inserted straight into the migrated database (``tests/support/synthetic.py``),
shaped as the scheduler and the runner write them, so the SQL status filters and the
windowed newest-runs query are exercised without a scheduler.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.support import synthetic
from tests.support.helpers import assert_error, unique

HOT_RUNS = 45


@dataclass(frozen=True)
class Scene:
    workspace: int
    sha: str
    busy_orchestration: str
    idle_orchestration: str
    hot: str
    made: synthetic.Synthetic


@pytest.fixture(scope="module")
def scene(v1_app: object) -> Scene:
    from fastapi import FastAPI

    from airflow_wallaroo.airflow_compat.db import engine
    from tests.api.conftest import client_for

    assert isinstance(v1_app, FastAPI)
    with client_for(v1_app, "admin") as admin:
        workspace = admin.post("/workspaces/create", json={"workspace_name": unique("paging")}).json()[
            "workspace_id"
        ]
        owner = admin.post("/workspaces/list", json={}).json()["workspaces"][0]["created_by"]
    sha = hashlib.sha256(unique("sha").encode()).hexdigest()
    busy, idle = synthetic.insert_orchestrations(
        engine(), workspace_id=workspace, owner_id=owner, sha=sha, count=2
    )
    made = synthetic.insert_tasks(
        engine(),
        workspace_id=workspace,
        owner_id=owner,
        orchestration_ids=[busy],
        sha=sha,
        runs_per_task=[HOT_RUNS, 3, 0],
        remember=1,
    )
    synthetic.insert_tasks(
        engine(), workspace_id=workspace, owner_id=owner, orchestration_ids=[idle], sha=sha, runs_per_task=[0]
    )
    return Scene(workspace, sha, busy, idle, made.task_ids[0], made)


def links(answer: object) -> dict[str, int]:
    """rel -> offset of the Link header."""
    header = answer.headers["Link"]  # type: ignore[attr-defined]
    found = {}
    for part in header.split(", "):
        params = dict(p.strip().split("=", 1) for p in part.split(";")[1:])
        found[params["rel"].strip('"')] = int(params["offset"])
    return found


class TestListTaskRuns:
    def test_sdk_request_gets_the_default_page_newest_first(self, admin: TestClient, scene: Scene) -> None:
        answer = admin.post(
            "/task/list_task_runs", json={"task_id": scene.hot, "status": None, "limit": None}
        )
        assert answer.status_code == 200, answer.text
        runs = answer.json()
        assert len(runs) == HOT_RUNS and answer.headers["X-Total-Count"] == str(HOT_RUNS)
        assert {r["run_id"] for r in runs} == set(scene.made.runs[scene.hot])
        assert [r["updated_at"] for r in runs] == sorted((r["updated_at"] for r in runs), reverse=True)
        assert set(runs[0]) == {"task", "run_id", "status", "created_at", "updated_at", "try_number"}
        assert links(answer) == {"first": 0, "last": 0}

    def test_pages_follow_the_link_header(self, admin: TestClient, scene: Scene) -> None:
        seen: list[str] = []
        offset: int | None = 0
        while offset is not None:
            answer = admin.post(
                "/task/list_task_runs", json={"task_id": scene.hot, "limit": 10, "offset": offset}
            )
            assert answer.status_code == 200 and answer.headers["X-Total-Count"] == str(HOT_RUNS)
            seen += [r["run_id"] for r in answer.json()]
            rels = links(answer)
            assert rels["last"] == 40 and rels["first"] == 0
            offset = rels.get("next")
        assert len(seen) == HOT_RUNS and set(seen) == set(scene.made.runs[scene.hot])
        everything = admin.post("/task/list_task_runs", json={"task_id": scene.hot}).json()
        assert seen == [r["run_id"] for r in everything]
        past = admin.post("/task/list_task_runs", json={"task_id": scene.hot, "offset": 1000})
        assert past.json() == [] and past.headers["X-Total-Count"] == str(HOT_RUNS)

    @pytest.mark.parametrize(
        ("status", "count"),
        [("timed_out", 2), ("failure", 1), ("running", 1), ("success", 41), ("killed", 0)],
    )
    def test_status_is_filtered_before_paging(
        self, admin: TestClient, scene: Scene, status: str, count: int
    ) -> None:
        answer = admin.post("/task/list_task_runs", json={"task_id": scene.hot, "status": status, "limit": 2})
        assert answer.status_code == 200, answer.text
        assert answer.headers["X-Total-Count"] == str(count)
        assert len(answer.json()) == min(count, 2)
        assert {r["status"] for r in answer.json()} <= {status}
        if status == "timed_out":
            everything = admin.post(
                "/task/list_task_runs", json={"task_id": scene.hot, "status": status}
            ).json()
            assert {r["run_id"] for r in everything} == set(scene.made.timed_out[scene.hot])


BOUNDED = [
    ("/task/list_task_runs", lambda s: {"task_id": s.hot}),
    ("/task/list", lambda s: {"workspace_id": s.workspace}),
    ("/task/get_tasks_by_orch_sha", lambda s: {"sha": s.sha}),
    ("/orchestration/list", lambda s: {"workspace_id": s.workspace}),
    ("/orchestration/list_all", lambda s: {"workspace_ids": [s.workspace]}),
    ("/workspaces/list", lambda s: {}),
    ("/workspaces/list_users", lambda s: {"workspace_id": s.workspace}),
]


@pytest.mark.parametrize(("path", "body"), BOUNDED, ids=[p for p, _ in BOUNDED])
class TestEveryListIsBounded:
    def test_limit_below_one_is_400(self, admin: TestClient, scene: Scene, path: str, body) -> None:
        assert_error(admin.post(path, json={**body(scene), "limit": 0}), 400, "limit")

    def test_limit_above_the_maximum_is_400(self, admin: TestClient, scene: Scene, path: str, body) -> None:
        assert_error(admin.post(path, json={**body(scene), "limit": 1001}), 400, "limit", "1000")

    def test_negative_offset_is_400(self, admin: TestClient, scene: Scene, path: str, body) -> None:
        assert_error(admin.post(path, json={**body(scene), "offset": -1}), 400, "offset")

    def test_page_facts_are_headers(self, admin: TestClient, scene: Scene, path: str, body) -> None:
        answer = admin.post(path, json={**body(scene), "limit": 1, "offset": None})
        assert answer.status_code == 200, answer.text
        total = int(answer.headers["X-Total-Count"])
        assert total >= 1
        assert ("next" in links(answer)) == (total > 1)
        payload = answer.json()
        items = payload if isinstance(payload, list) else next(iter(payload.values()))
        assert len(items) == 1


class TestTaskLists:
    def test_tasks_newest_first_with_their_newest_runs(self, admin: TestClient, scene: Scene) -> None:
        answer = admin.post(
            "/task/list", json={"workspace_id": scene.workspace, "orch_id": scene.busy_orchestration}
        )
        tasks = answer.json()
        assert answer.headers["X-Total-Count"] == "3" and len(tasks) == 3
        hot = next(t for t in tasks if t["id"] == scene.hot)
        newest = admin.post("/task/list_task_runs", json={"task_id": scene.hot, "limit": 100}).json()
        assert len(hot["last_runs"]) == 5
        assert {r["run_id"] for r in hot["last_runs"]} <= {r["run_id"] for r in newest}
        assert hot["last_runs"][0]["status"] == "running"
        assert [len(t["last_runs"]) for t in tasks if t["id"] != scene.hot] in ([3, 0], [0, 3])
        two = admin.post(
            "/task/list", json={"workspace_id": scene.workspace, "limit": 2, "run_limit": 1}
        ).json()
        assert len(two) == 2 and all(len(t["last_runs"]) <= 1 for t in two)

    def test_tasks_by_sha_page(self, admin: TestClient, scene: Scene) -> None:
        first = admin.post("/task/get_tasks_by_orch_sha", json={"sha": scene.sha, "limit": 3})
        rest = admin.post("/task/get_tasks_by_orch_sha", json={"sha": scene.sha, "limit": 3, "offset": 3})
        assert first.headers["X-Total-Count"] == "4"
        assert len(first.json()["ids"]) == 3 and len(rest.json()["ids"]) == 1

    def test_list_all_filters_in_sql_and_pages_orchestrations(self, admin: TestClient, scene: Scene) -> None:
        mine = {"workspace_ids": [scene.workspace]}
        both = admin.post("/orchestration/list_all", json={**mine, "task_run_status": []})
        assert both.headers["X-Total-Count"] == "2"
        assert [e["orchestration"]["id"] for e in both.json()["orchestrations"]] == [
            scene.idle_orchestration,
            scene.busy_orchestration,
        ]
        timed_out = admin.post("/orchestration/list_all", json={**mine, "task_run_status": ["timed_out"]})
        assert [e["orchestration"]["id"] for e in timed_out.json()["orchestrations"]] == [
            scene.busy_orchestration
        ]
        entry = timed_out.json()["orchestrations"][0]
        assert len(entry["tasks"]) == 3 and set(entry["workspace"]) >= {"id", "name", "archived"}
        assert admin.post("/orchestration/list_all", json={**mine, "killed": True}).json() == {
            "orchestrations": []
        }
        one = admin.post("/orchestration/list_all", json={**mine, "limit": 1, "offset": 1})
        assert [e["orchestration"]["id"] for e in one.json()["orchestrations"]] == [scene.busy_orchestration]
        assert links(one) == {"first": 0, "prev": 0, "last": 1}
