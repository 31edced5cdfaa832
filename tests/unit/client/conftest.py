"""A fake server for the client's unit tests: answers by path, records every request.

The real server is exercised by tests/integration/test_cli.py; here only the client's own
behaviour is pinned (what it sends, how it reads answers and errors), with httpx's
MockTransport standing in for the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from airflow_wallaroo.client import WallarooClient

BASE = "http://wallaroo.test"
WHEN = "2026-05-16T15:59:57.496421+00:00"

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeServer:
    """Routes ``(method, path)`` to canned answers (a list is served in order, the last repeats)."""

    routes: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path: str, *answers: Answer) -> None:
        self.routes[(method, path)] = list(answers)

    def json(self, path: str, body: Any, status: int = 200) -> None:
        self.on("POST", f"/v1/api/{path}", httpx.Response(status, json=body))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answers = self.routes.get((request.method, request.url.path))
        if not answers:
            return httpx.Response(
                404, json={"msg": f"no such endpoint: {request.method} {request.url.path}", "code": 404}
            )
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer(request) if callable(answer) else answer

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if r.url.path == f"/v1/api/{path}"]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def client(server: FakeServer) -> Iterator[WallarooClient]:
    with WallarooClient(BASE, "tok", transport=server.transport) as client:
        yield client


def workspace(id: int = 1, name: str = "admin - Default Workspace") -> dict[str, Any]:
    return {
        "id": id,
        "name": name,
        "created_at": WHEN,
        "created_by": "admin",
        "archived": False,
        "models": [],
        "pipelines": [],
    }


def orchestration(
    id: str = "o-1", status: str = "ready", msg: str | None = None, workspace_id: int = 1
) -> dict[str, Any]:
    return {
        "id": id,
        "sha": "ab" * 32,
        "name": "hello",
        "file_name": "hello.zip",
        "file_size": 1234,
        "image_path": "local",
        "task_id": "pk-1",
        "owner_id": "admin",
        "workspace_id": workspace_id,
        "status": status,
        "msg": msg,
        "created_at": WHEN,
        "updated_at": WHEN,
    }


def run(run_id: str = "r-1", status: str = "running", task: str = "t-1") -> dict[str, Any]:
    return {"task": task, "run_id": run_id, "status": status, "created_at": WHEN, "updated_at": WHEN}


def task(
    id: str = "t-1", status: str = "started", last_runs: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "id": id,
        "name": None,
        "workspace_id": 1,
        "orch_id": "o-1",
        "orch_sha": "ab" * 32,
        "run_type": "Oneshot",
        "flavor": "exec_orch_oneshot",
        "schedule": None,
        "timeout": None,
        "image": "local",
        "image_tag": None,
        "bind_secrets": [],
        "extra_env_vars": {},
        "auth_init": True,
        "exec_type": "job",
        "reap_threshold_secs": None,
        "status": status,
        "input_data": {"a": 1},
        "killed": False,
        "created_at": WHEN,
        "updated_at": WHEN,
        "last_runs": [
            {"run_id": r["run_id"], "status": r["status"], "created_at": WHEN, "updated_at": WHEN}
            for r in (last_runs or [])
        ],
    }
