"""What WallarooClient sends for each endpoint, and how it reads answers and errors."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from airflow_wallaroo.client import (
    Orchestration,
    Task,
    TaskRun,
    WallarooApiError,
    WallarooClient,
    WallarooClientError,
    WallarooConnectionError,
    Workspace,
    fetch_token,
)
from tests.unit.client.conftest import BASE, FakeServer, orchestration, run, task, workspace


class TestEndpoints:
    """One method per endpoint: its path, its body, and the type of what it returns."""

    @pytest.mark.parametrize(
        ("call", "path", "answer", "body", "expected"),
        [
            pytest.param(
                lambda c: c.create_workspace("w"),
                "workspaces/create",
                {"workspace_id": 7},
                {"workspace_name": "w"},
                7,
                id="ws-create",
            ),
            pytest.param(
                lambda c: c.add_user(3, email="bob"),
                "workspaces/add_user",
                {},
                {"workspace_id": 3, "email": "bob", "user_type": "collaborator"},
                None,
                id="ws-add-email",
            ),
            pytest.param(
                lambda c: c.add_user(3, user_id="9", user_type="owner"),
                "workspaces/add_user",
                {},
                {"workspace_id": 3, "user_id": "9", "user_type": "owner"},
                None,
                id="ws-add-owner",
            ),
            pytest.param(
                lambda c: c.remove_user(3, user_id="9"),
                "workspaces/remove_user",
                {},
                {"workspace_id": 3, "user_id": "9"},
                None,
                id="ws-remove",
            ),
            pytest.param(
                lambda c: [u.user_type for u in c.list_users(3)],
                "workspaces/list_users",
                {"users": [{"user_id": "admin", "user_type": "owner"}]},
                {"workspace_id": 3},
                ["owner"],
                id="ws-users",
            ),
            pytest.param(
                lambda c: c.get_tasks_by_orch_sha("ab"),
                "task/get_tasks_by_orch_sha",
                {"ids": ["t-1"]},
                {"sha": "ab"},
                ["t-1"],
                id="tasks-by-sha",
            ),
            pytest.param(
                lambda c: c.run_once(1, "o-1", {"x": 1}, name="n", timeout=30),
                "task/run_once",
                {"id": "t-9"},
                {"workspace_id": 1, "orch_id": "o-1", "json": {"x": 1}, "name": "n", "timeout": 30},
                "t-9",
                id="run-once",
            ),
            pytest.param(
                lambda c: c.run_once(1, "o-1"),
                "task/run_once",
                {"id": "t-9"},
                {"workspace_id": 1, "orch_id": "o-1", "json": {}},
                "t-9",
                id="run-once-defaults",
            ),
            pytest.param(
                lambda c: c.run_scheduled(1, "o-1", "*/5 * * * *"),
                "task/run_scheduled",
                {"id": "t-9"},
                {"workspace_id": 1, "orch_id": "o-1", "json": {}, "schedule": "*/5 * * * *"},
                "t-9",
                id="run-scheduled",
            ),
            pytest.param(
                lambda c: c.run_continuously(1, "o-1", name="svc", debug=True),
                "task/run_continuously",
                {"id": "t-9"},
                {"workspace_id": 1, "orch_id": "o-1", "json": {}, "name": "svc", "debug": True},
                "t-9",
                id="run-continuously",
            ),
            pytest.param(
                lambda c: c.pause_task("t-1").status,
                "task/pause",
                task(status="pending_pause"),
                {"id": "t-1", "pause": True},
                "pending_pause",
                id="pause",
            ),
            pytest.param(
                lambda c: c.resume_task("t-1").status,
                "task/pause",
                task(status="pending_resume"),
                {"id": "t-1", "pause": False},
                "pending_resume",
                id="resume",
            ),
            pytest.param(
                lambda c: c.kill_task("t-1").status,
                "task/kill",
                task(status="pending_kill"),
                {"id": "t-1"},
                "pending_kill",
                id="kill",
            ),
            pytest.param(
                lambda c: c.get_logs("r-1", lines=2),
                "task/get_logs_for_run",
                {"logs": ["a", "b"]},
                {"id": "r-1", "lines": 2},
                ["a", "b"],
                id="logs",
            ),
            pytest.param(
                lambda c: c.get_run_details("t-1", "r-1").status,
                "task/get_run_details",
                run(status="success"),
                {"task": "t-1", "pod_id": "r-1"},
                "success",
                id="run-details",
            ),
            pytest.param(
                lambda c: c.delete_orchestrations(["o-1"]).deleted,
                "orchestration/delete_orchestrations",
                {"deleted": ["o-1"]},
                {"orchestrations": ["o-1"], "confirm_delete": False},
                ["o-1"],
                id="delete",
            ),
            pytest.param(
                lambda c: c.list_tasks(workspace_id=2, killed=False),
                "task/list",
                [],
                {"workspace_id": 2, "killed": False},
                [],
                id="task-list-filters",
            ),
            pytest.param(
                lambda c: [r.run_id for r in c.list_task_runs("t-1", status="running", limit=3)],
                "task/list_task_runs",
                [run()],
                {"task_id": "t-1", "status": "running", "limit": 3},
                ["r-1"],
                id="runs",
            ),
        ],
    )
    def test_call(
        self,
        server: FakeServer,
        client: WallarooClient,
        call: Any,
        path: str,
        answer: Any,
        body: dict[str, Any],
        expected: Any,
    ) -> None:
        server.json(path, answer)
        assert call(client) == expected
        assert server.bodies(path) == [body]

    def test_every_request_carries_the_token(self, server: FakeServer, client: WallarooClient) -> None:
        server.json("workspaces/list", {"workspaces": []})
        client.list_workspaces()
        assert server.requests[0].headers["Authorization"] == "Bearer tok"
        assert str(server.requests[0].url) == f"{BASE}/v1/api/workspaces/list"

    def test_answers_are_typed(self, server: FakeServer, client: WallarooClient) -> None:
        server.json("workspaces/list", {"workspaces": [workspace()]})
        server.json("orchestration/get_by_id", orchestration(status="error", msg="pip failed"))
        server.json("task/get_by_id", task(last_runs=[run(status="success")]))
        [found] = client.list_workspaces()
        assert isinstance(found, Workspace) and found.id == 1
        assert found.created_at == datetime(2026, 5, 16, 15, 59, 57, 496421, tzinfo=UTC)
        got = client.get_orchestration("o-1")
        assert isinstance(got, Orchestration) and got.finished and got.msg == "pip failed"
        one = client.get_task("t-1")
        assert isinstance(one, Task) and one.kind == "once" and one.last_runs[0].status == "success"
        assert one.raw["flavor"] == "exec_orch_oneshot"  # the answer itself is kept for --json

    def test_list_all_reads_the_workspace_of_each_entry(
        self, server: FakeServer, client: WallarooClient
    ) -> None:
        server.json(
            "orchestration/list_all",
            {
                "orchestrations": [
                    {
                        "orchestration": orchestration(),
                        "tasks": [task()],
                        "workspace": {"id": 1, "name": "ws"},
                    }
                ]
            },
        )
        [entry] = client.list_all_orchestrations(workspace_ids=[1], killed=False)
        assert (entry.workspace_name, len(entry.tasks)) == ("ws", 1)
        assert server.bodies("orchestration/list_all") == [
            {"workspace_ids": [1], "task_run_status": [], "killed": False}
        ]

    def test_delete_reads_the_bytes_freed_when_the_server_says(
        self, server: FakeServer, client: WallarooClient
    ) -> None:
        server.json("orchestration/delete_orchestrations", {"deleted": ["o-1"], "bytes": 1234})
        assert client.delete_orchestrations(["o-1"], confirm_delete=True).bytes == 1234

    def test_add_user_needs_exactly_one_of_email_and_user_id(self, client: WallarooClient) -> None:
        with pytest.raises(ValueError, match="exactly one"):
            client.add_user(1)
        with pytest.raises(ValueError, match="exactly one"):
            client.add_user(1, email="a", user_id="b")


class TestErrors:
    """Every failure is one of the client's errors, carrying the server's msg and code."""

    def test_the_servers_msg_and_code(self, server: FakeServer, client: WallarooClient) -> None:
        server.json("task/get_by_id", {"msg": "id: no task t-404", "code": 404}, status=404)
        with pytest.raises(WallarooApiError) as caught:
            client.get_task("t-404")
        assert (caught.value.msg, caught.value.code) == ("id: no task t-404", 404)
        assert str(caught.value) == "id: no task t-404 (HTTP 404)"

    @pytest.mark.parametrize(
        ("answer", "msg"),
        [
            pytest.param(
                httpx.Response(401, json={"detail": "Invalid credentials"}),
                "Invalid credentials",
                id="airflow-detail",
            ),
            pytest.param(
                httpx.Response(
                    422, json={"detail": [{"loc": ["body", "username"], "msg": "Field required"}]}
                ),
                "username: Field required",
                id="airflow-validation",
            ),
            pytest.param(
                httpx.Response(502, text="Bad gateway from the proxy"),
                "Bad gateway from the proxy",
                id="text",
            ),
            pytest.param(httpx.Response(503), "Service Unavailable", id="empty"),
        ],
    )
    def test_answers_that_are_not_the_contracts(
        self, server: FakeServer, answer: httpx.Response, msg: str
    ) -> None:
        server.on("POST", "/auth/token", answer)
        with pytest.raises(WallarooApiError) as caught:
            fetch_token(BASE, "admin", "pw", transport=server.transport)
        assert (caught.value.msg, caught.value.code) == (msg, answer.status_code)

    def test_a_success_that_is_not_json(self, server: FakeServer, client: WallarooClient) -> None:
        server.on("POST", "/v1/api/task/get_by_id", httpx.Response(200, text="<html>login</html>"))
        with pytest.raises(WallarooApiError, match="not JSON"):
            client.get_task("t-1")

    def test_a_closed_port_is_a_connection_error(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]  # bound, never listening: connections are refused
            with (
                WallarooClient(f"http://127.0.0.1:{port}", "tok", timeout=5) as client,
                pytest.raises(WallarooConnectionError, match="could not reach"),
            ):
                client.list_workspaces()

    def test_a_timeout_is_a_connection_error(self, server: FakeServer, client: WallarooClient) -> None:
        def slow(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("timed out", request=request)

        server.on("POST", "/v1/api/workspaces/list", slow)
        with pytest.raises(WallarooConnectionError, match="did not answer in time"):
            client.list_workspaces()

    def test_errors_share_one_root(self) -> None:
        assert issubclass(WallarooApiError, WallarooClientError)
        assert issubclass(WallarooConnectionError, WallarooClientError)


class TestToken:
    def test_fetch_token_posts_the_credentials(self, server: FakeServer) -> None:
        server.on("POST", "/auth/token", httpx.Response(201, json={"access_token": "jwt"}))
        assert fetch_token(BASE + "/", "admin", "pw", transport=server.transport) == "jwt"
        assert json.loads(server.requests[0].content) == {"username": "admin", "password": "pw"}

    def test_an_answer_without_a_token(self, server: FakeServer) -> None:
        server.on("POST", "/auth/token", httpx.Response(201, json={}))
        with pytest.raises(WallarooApiError, match="no access_token"):
            fetch_token(BASE, "admin", "pw", transport=server.transport)


def _multipart(request: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    """The parts of a multipart body: name -> (file name, content)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    raw = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.content
    message = BytesParser(policy=HTTP).parsebytes(raw)
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


class TestUpload:
    def _accept(self, server: FakeServer) -> None:
        server.on("POST", "/v1/api/orchestration/upload", httpx.Response(202, json={"id": "o-new"}))

    def test_a_folder_is_zipped_and_sent_with_its_metadata(
        self, server: FakeServer, client: WallarooClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self._accept(server)
        temp = tmp_path / "tmp"
        temp.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(temp))
        folder = tmp_path / "hello"
        (folder / "__pycache__").mkdir(parents=True)
        (folder / "main.py").write_text("print('hi')\n")
        (folder / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"\0")
        progress: list[tuple[int, int]] = []
        assert (
            client.upload_orchestration(
                folder, 4, name="greeter", on_progress=lambda s, t: progress.append((s, t))
            )
            == "o-new"
        )
        parts = _multipart(server.requests[0])
        assert json.loads(parts["metadata"][1]) == {"workspace_id": 4, "name": "greeter"}
        file_name, archive = parts["file"]
        assert file_name == "hello.zip"
        assert zipfile.ZipFile(io.BytesIO(archive)).namelist() == ["main.py"]
        assert progress and progress[-1] == (len(archive), len(archive))
        assert server.requests[0].headers["content-length"]  # the size is declared, not chunked
        assert not list(temp.iterdir())  # the temporary ZIP is gone

    def test_a_zip_is_sent_as_it_is(self, server: FakeServer, client: WallarooClient, tmp_path: Path) -> None:
        self._accept(server)
        archive = tmp_path / "mine.zip"
        with zipfile.ZipFile(archive, "w") as out:
            out.writestr("main.py", "print(1)")
        client.upload_orchestration(archive, 1)
        parts = _multipart(server.requests[0])
        assert parts["file"] == ("mine.zip", archive.read_bytes())
        assert json.loads(parts["metadata"][1]) == {"workspace_id": 1}

    @pytest.mark.parametrize("content", [None, b"not a zip"], ids=["missing", "not-a-zip"])
    def test_what_cannot_be_uploaded(
        self, client: WallarooClient, tmp_path: Path, content: bytes | None
    ) -> None:
        path = tmp_path / "thing.zip"
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(ValueError, match=r"thing\.zip"):
            client.upload_orchestration(path, 1)


class TestDownload:
    def test_the_archive_is_written_and_its_sha_checked(
        self, server: FakeServer, client: WallarooClient, tmp_path: Path
    ) -> None:
        data = b"PK-bytes" * 1000
        sha = hashlib.sha256(data).hexdigest()
        server.on(
            "GET",
            "/v1/api/orchestration/download",
            httpx.Response(200, content=data, headers={"X-Orchestration-Sha": sha}),
        )
        result = client.download_orchestration("o-1", tmp_path / "out.zip")
        assert (tmp_path / "out.zip").read_bytes() == data
        assert result.verified and result.size == len(data)
        assert server.requests[0].url.params["id"] == "o-1"

    def test_a_lying_sha_is_not_verified(
        self, server: FakeServer, client: WallarooClient, tmp_path: Path
    ) -> None:
        server.on(
            "GET",
            "/v1/api/orchestration/download",
            httpx.Response(200, content=b"abc", headers={"X-Orchestration-Sha": "0" * 64}),
        )
        assert not client.download_orchestration("o-1", tmp_path / "out.zip").verified

    def test_an_error_answer(self, server: FakeServer, client: WallarooClient, tmp_path: Path) -> None:
        server.on(
            "GET",
            "/v1/api/orchestration/download",
            httpx.Response(403, json={"msg": "not yours", "code": 403}),
        )
        with pytest.raises(WallarooApiError, match="not yours"):
            client.download_orchestration("o-1", tmp_path / "out.zip")


class TestWaiting:
    def test_wait_for_orchestration_polls_until_final(
        self, server: FakeServer, client: WallarooClient
    ) -> None:
        server.on(
            "POST",
            "/v1/api/orchestration/get_by_id",
            *(
                httpx.Response(200, json=orchestration(status=s))
                for s in ("pending_packaging", "packaging", "ready")
            ),
        )
        seen: list[str] = []
        final = client.wait_for_orchestration(
            "o-1", on_status=lambda o: seen.append(o.status), sleep=lambda _: None
        )
        assert final.status == "ready" and seen == ["pending_packaging", "packaging", "ready"]

    def test_wait_for_orchestration_gives_up(self, server: FakeServer, client: WallarooClient) -> None:
        server.json("orchestration/get_by_id", orchestration(status="packaging"))
        with pytest.raises(TimeoutError, match="still packaging"):
            client.wait_for_orchestration("o-1", timeout=0, sleep=lambda _: None)

    def test_follow_logs_yields_each_line_once_until_the_run_ends(
        self, server: FakeServer, client: WallarooClient
    ) -> None:
        server.on(
            "POST",
            "/v1/api/task/get_run_details",
            *(httpx.Response(200, json=run(status=s)) for s in ("running", "running", "running", "success")),
        )
        server.on(
            "POST",
            "/v1/api/task/get_logs_for_run",
            *(
                httpx.Response(200, json={"logs": lines})
                for lines in ([], ["a"], ["a", "b", "c"], ["a", "b", "c", "d"])
            ),
        )
        sleeps: list[float] = []
        assert list(client.follow_logs("r-1", task_id="t-1", interval=0.5, sleep=sleeps.append)) == [
            "a",
            "b",
            "c",
            "d",
        ]
        assert sleeps == [0.5, 0.5, 0.5]

    def test_follow_logs_finds_the_task_of_the_run(self, server: FakeServer, client: WallarooClient) -> None:
        server.json("task/list", [task("t-0"), task("t-1", last_runs=[run("r-1")])])
        server.json("task/get_run_details", run(status="failure"))
        server.json("task/get_logs_for_run", {"logs": ["x"]})
        assert list(client.follow_logs("r-1", sleep=lambda _: None)) == ["x"]
        assert server.bodies("task/list") == [{"run_limit": 100}]
        assert server.bodies("task/get_run_details") == [{"task": "t-1", "pod_id": "r-1"}]

    def test_a_run_of_no_task(self, server: FakeServer, client: WallarooClient) -> None:
        server.json("task/list", [task("t-0")])
        with pytest.raises(WallarooClientError, match="give its task id"):
            client.find_task_of_run("r-404")

    def test_run_is_finished_unless_running(self) -> None:
        assert not TaskRun.from_json(run(status="running")).finished
        assert TaskRun.from_json(run(status="timed_out")).finished
