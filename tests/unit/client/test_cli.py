"""The HTTP commands of ``airflow-wallaroo``: arguments, output and exit codes, against a fake server."""

from __future__ import annotations

import functools
import io
import json
import socket
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from airflow_wallaroo import cli as console_script
from airflow_wallaroo.client import WallarooClient
from airflow_wallaroo.client.cli import context, run
from airflow_wallaroo.client.cli import root as cli_root
from airflow_wallaroo.client.config import read_login
from tests.unit.client.conftest import BASE, FakeServer, orchestration, task, workspace
from tests.unit.client.conftest import run as run_json


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in ("WALLAROO_URL", "WALLAROO_TOKEN", "WALLAROO_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """The fake server, wired into the CLI (connection settings from the environment)."""
    fake = FakeServer()
    monkeypatch.setattr(
        context, "WallarooClient", functools.partial(WallarooClient, transport=fake.transport)
    )
    monkeypatch.setattr(
        cli_root, "fetch_token", functools.partial(cli_root.fetch_token, transport=fake.transport)
    )
    monkeypatch.setenv("WALLAROO_URL", BASE)
    monkeypatch.setenv("WALLAROO_TOKEN", "tok")
    return fake


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class TestDispatch:
    def test_operator_commands_still_use_their_own_parser(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert console_script.main(["install-dags", str(tmp_path / "dags")]) == 0
        assert sorted(p.name for p in (tmp_path / "dags").iterdir())[:1] == ["wallaroo_packaging.py"]
        with pytest.raises(SystemExit) as caught:
            console_script.main(["standalone", "--port", "not-a-number"])
        assert caught.value.code == 2
        assert "invalid int value" in capsys.readouterr().err

    def test_other_command_lines_go_to_the_http_cli(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert console_script.main(["--help"]) == 0
        out = capsys.readouterr().out
        assert "orch" in out and "standalone" in out  # the epilog names the operator commands

    def test_the_client_and_cli_import_no_airflow(self) -> None:
        code = (
            "import sys, airflow_wallaroo.client, airflow_wallaroo.client.cli, airflow_wallaroo.cli\n"
            "bad = sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.'))\n"
            "assert not bad, bad\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)


class TestUsage:
    """Exit 2, with a message, for command lines and input that cannot be right."""

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            pytest.param(("task", "run-once"), "Missing argument", id="missing-argument"),
            pytest.param(("task", "nope"), "No such command", id="unknown-command"),
            pytest.param(("task", "logs", "r-1", "--lines", "0"), "--lines", id="lines-range"),
            pytest.param(("ws", "users", "one"), "WORKSPACE", id="workspace-not-int"),
            pytest.param(("ws", "add-user", "1"), "exactly one of --email or --user-id", id="no-user"),
            pytest.param(
                ("ws", "add-user", "1", "--email", "a", "--user-id", "b"), "exactly one", id="two-users"
            ),
            pytest.param(
                ("task", "run-once", "o-1", "--json", "/nonexistent/args.json"),
                "cannot read",
                id="args-file-missing",
            ),
            pytest.param(("task", "run-once", "o-1", "--json", "{bad"), "not valid JSON", id="args-bad-json"),
            pytest.param(("task", "schedule", "o-1"), "--schedule", id="schedule-required"),
            pytest.param(
                ("orch", "upload", "/nonexistent/folder"), "no such folder or file", id="upload-missing"
            ),
            pytest.param(
                ("task", "logs", "r-1", "--follow", "--lines", "3"),
                "do not go together",
                id="follow-with-lines",
            ),
        ],
    )
    def test_refused(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
    ) -> None:
        code, _, err = cli(capsys, *argv)
        assert code == 2
        assert message in err
        assert not server.requests  # nothing was sent

    def test_arguments_must_be_an_object(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        (tmp_path / "args.json").write_text("[1, 2]")
        code, _, err = cli(capsys, "task", "run-once", "o-1", "--json", str(tmp_path / "args.json"))
        assert (code, "must hold a JSON object" in err) == (2, True)

    def test_no_server_configured(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = cli(capsys, "ws", "list")
        assert code == 2 and "no server" in err

    def test_no_token(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        monkeypatch.setenv("WALLAROO_URL", BASE)
        code, _, err = cli(capsys, "ws", "list")
        assert code == 4 and "airflow-wallaroo login" in err


class TestExitCodes:
    def test_a_refusal_prints_the_servers_msg(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str]
    ) -> None:
        server.json("task/get_by_id", {"msg": "id: no such task t-9", "code": 404}, status=404)
        code, out, err = cli(capsys, "task", "get", "t-9")
        assert (code, out) == (1, "")
        assert "error: id: no such task t-9 (HTTP 404)" in err

    def test_401_is_not_authenticated(self, server: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
        server.json("workspaces/list", {"msg": "not authenticated: Token Expired", "code": 401}, status=401)
        code, _, err = cli(capsys, "ws", "list")
        assert code == 4 and "Token Expired" in err and "login" in err

    def test_an_unreachable_server(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            code, _, err = cli(
                capsys, "--url", f"http://127.0.0.1:{sock.getsockname()[1]}", "--token", "t", "ws", "list"
            )
        assert code == 3 and "could not reach" in err

    def test_packaging_that_fails_under_wait(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        (tmp_path / "main.py").write_text("print(1)\n")
        server.on("POST", "/v1/api/orchestration/upload", httpx.Response(202, json={"id": "o-1"}))
        server.on(
            "POST",
            "/v1/api/orchestration/get_by_id",
            httpx.Response(200, json=orchestration(status="packaging")),
            httpx.Response(200, json=orchestration(status="error", msg="ERROR: No matching distribution")),
        )
        code, out, err = cli(capsys, "orch", "upload", str(tmp_path), "-w", "1", "--wait")
        assert code == 5
        assert "ERROR: No matching distribution" in err
        assert "wallaroo_packaging/runs/pk-1/tasks/build_environment" in err
        assert "error" in out  # the final state is shown


class TestCommands:
    def test_ws_list_as_a_table_and_as_json(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str]
    ) -> None:
        server.json("workspaces/list", {"workspaces": [workspace(1), workspace(2, "team")]})
        code, out, _ = cli(capsys, "ws", "list")
        assert code == 0
        assert "admin - Default Workspace" in out and "team" in out and "CREATED BY" in out
        code, out, _ = cli(capsys, "ws", "list", "--json")
        assert json.loads(out) == {"workspaces": [workspace(1), workspace(2, "team")]}

    def test_run_once_takes_the_workspace_from_the_orchestration(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        server.json("orchestration/get_by_id", orchestration(workspace_id=5))
        server.json("task/run_once", {"id": "t-new"})
        monkeypatch.setattr(sys, "stdin", io.StringIO('{"sleep": 3}'))
        code, out, err = cli(
            capsys, "task", "run-once", "o-1", "--json", "-", "--name", "n", "--timeout", "60"
        )
        assert (code, out) == (0, "t-new\n")  # only the id on stdout, for $(...)
        assert "wallaroo_task_t-new" in err
        assert server.bodies("task/run_once") == [
            {"workspace_id": 5, "orch_id": "o-1", "json": {"sleep": 3}, "name": "n", "timeout": 60}
        ]

    def test_schedule_with_inline_arguments_and_json_output(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str]
    ) -> None:
        server.json("task/run_scheduled", {"id": "t-new"})
        code, out, _ = cli(
            capsys,
            "task",
            "schedule",
            "o-1",
            "-w",
            "2",
            "--schedule",
            "*/5 * * * *",
            "--json",
            '{"a": 1}',
            "-o",
            "json",
        )
        assert (code, json.loads(out)) == (0, {"id": "t-new"})
        assert server.bodies("task/run_scheduled") == [
            {"workspace_id": 2, "orch_id": "o-1", "json": {"a": 1}, "schedule": "*/5 * * * *"}
        ]
        assert not server.bodies("orchestration/get_by_id")  # --workspace given: no lookup

    def test_upload_picks_the_only_workspace(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        (tmp_path / "main.py").write_text("print(1)\n")
        server.json("workspaces/list", {"workspaces": [workspace(3)]})
        server.on("POST", "/v1/api/orchestration/upload", httpx.Response(202, json={"id": "o-new"}))
        code, out, _ = cli(capsys, "orch", "upload", str(tmp_path), "--json")
        assert (code, json.loads(out)) == (0, {"id": "o-new"})
        assert b'{"workspace_id": 3}' in server.requests[-1].content

    def test_upload_asks_which_of_several_workspaces(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        (tmp_path / "main.py").write_text("print(1)\n")
        server.json("workspaces/list", {"workspaces": [workspace(1), workspace(2, "team")]})
        code, _, err = cli(capsys, "orch", "upload", str(tmp_path))
        assert code == 2 and "--workspace" in err and "2 (team)" in err

    def test_upload_wait_ready(
        self,
        server: FakeServer,
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        (tmp_path / "main.py").write_text("print(1)\n")
        monkeypatch.setenv("WALLAROO_WORKSPACE", "1")
        server.on("POST", "/v1/api/orchestration/upload", httpx.Response(202, json={"id": "o-1"}))
        server.on(
            "POST",
            "/v1/api/orchestration/get_by_id",
            httpx.Response(200, json=orchestration(status="pending_packaging")),
            httpx.Response(200, json=orchestration(status="ready")),
        )
        code, out, err = cli(capsys, "orch", "upload", str(tmp_path), "--wait", "-o", "json")
        assert code == 0 and json.loads(out)["status"] == "ready"
        assert "packaging: pending_packaging" in err and "packaging: ready" in err

    def test_download_refuses_to_overwrite(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        (tmp_path / "x.zip").write_bytes(b"mine")
        code, _, err = cli(capsys, "orch", "download", "o-1", "--file", str(tmp_path / "x.zip"))
        assert code == 2 and "--force" in err
        assert (tmp_path / "x.zip").read_bytes() == b"mine"

    def test_a_damaged_download_is_removed(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        server.on(
            "GET",
            "/v1/api/orchestration/download",
            httpx.Response(200, content=b"abc", headers={"X-Orchestration-Sha": "0" * 64}),
        )
        code, _, err = cli(capsys, "orch", "download", "o-1", "--file", str(tmp_path / "x.zip"))
        assert code == 1 and "damaged" in err and not (tmp_path / "x.zip").exists()

    def test_task_list_shows_kind_and_last_runs(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str]
    ) -> None:
        server.json("task/list", [task("t-1", last_runs=[run_json(status="success")])])
        code, out, _ = cli(capsys, "task", "list", "--live")
        assert code == 0 and "t-1" in out and "once" in out and "started" in out
        assert server.bodies("task/list") == [{"killed": False}]

    def test_logs_follow_prints_lines_and_the_end(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str]
    ) -> None:
        server.on(
            "POST",
            "/v1/api/task/get_run_details",
            httpx.Response(200, json=run_json(status="running")),
            httpx.Response(200, json=run_json(status="success")),
        )
        server.on(
            "POST",
            "/v1/api/task/get_logs_for_run",
            httpx.Response(200, json={"logs": ["l1"]}),
            httpx.Response(200, json={"logs": ["l1", "l2"]}),
        )
        code, out, err = cli(capsys, "task", "logs", "r-1", "--task", "t-1", "--follow", "--interval", "0.1")
        assert (code, out) == (0, "l1\nl2\n")
        assert "run r-1 ended: success" in err

    def test_kill_prints_the_new_status(self, server: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
        server.json("task/kill", task(status="pending_kill"))
        code, out, _ = cli(capsys, "task", "kill", "t-1")
        assert (code, out.strip()) == (0, "task t-1: pending_kill")


class TestLogin:
    def test_login_stores_url_and_token_for_the_owner_only(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("WALLAROO_TOKEN")
        server.on("POST", "/auth/token", httpx.Response(201, json={"access_token": "jwt-1"}))
        monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
        code, out, _ = cli(capsys, "login", "-u", "admin", "--password-stdin")
        assert code == 0 and "logged in" in out
        assert json.loads(server.requests[0].content) == {"username": "admin", "password": "s3cret"}
        stored = read_login()
        assert stored is not None and (stored.url, stored.token) == (BASE, "jwt-1")
        path = Path(out.split("stored in ")[1].strip())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_bad_credentials(self, server: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
        server.on("POST", "/auth/token", httpx.Response(401, json={"detail": "Invalid credentials"}))
        code, _, err = cli(capsys, "login", "-u", "admin", "-p", "wrong")
        assert code == 4 and "Invalid credentials" in err
        assert read_login() is None

    def test_the_stored_login_is_used(
        self, server: FakeServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("WALLAROO_TOKEN")
        monkeypatch.delenv("WALLAROO_URL")
        server.on("POST", "/auth/token", httpx.Response(201, json={"access_token": "jwt-2"}))
        assert cli(capsys, "--url", BASE, "login", "-u", "admin", "-p", "pw")[0] == 0
        server.json("workspaces/list", {"workspaces": []})
        assert cli(capsys, "ws", "list")[0] == 0
        assert server.requests[-1].headers["Authorization"] == "Bearer jwt-2"
        assert cli(capsys, "logout")[0] == 0
        assert read_login() is None
