"""airflow_wallaroo.runtime against real files and real environment variables."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from airflow_wallaroo import runtime
from airflow_wallaroo.runtime import TaskContext, in_task, task_args, task_context

CONTRACT_VARS = (
    "WALLAROO_TASK_ID",
    "TASK_ID",
    "ORCH_SHA",
    "ORCH_OWNER_ID",
    "WALLAROO_TASK_RUN_ID",
    "WALLAROO_WORKSPACE_ID",
    "WALLAROO_API_URL",
    "WALLAROO_ARGUMENTS_PATH",
)


@pytest.fixture(autouse=True)
def outside_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Start every test outside any task: no contract variables, an empty cwd, no pod file."""
    for name in CONTRACT_VARS:
        monkeypatch.delenv(name, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(runtime, "POD_ARGUMENTS_PATH", tmp_path / "home-jovyan" / "arguments.json")
    return cwd


def write_json(path: Path, value: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


class TestInTask:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param(None, False, id="unset"),
            pytest.param("", False, id="empty"),
            pytest.param("7b0c5c1e-task", True, id="set"),
        ],
    )
    def test_follows_wallaroo_task_id(
        self, monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool
    ) -> None:
        if value is not None:
            monkeypatch.setenv("WALLAROO_TASK_ID", value)
        assert in_task() is expected

    def test_other_contract_variables_alone_are_not_a_task(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TASK_ID", "t")
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", "/nowhere/arguments.json")
        assert in_task() is False


class TestTaskArgsSources:
    def test_outside_a_task_there_are_none(self) -> None:
        assert task_args() == {}

    def test_reads_the_file_named_by_the_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write_json(tmp_path / "elsewhere" / "arguments.json", {"a": 1, "nested": {"b": [1, 2]}})
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", str(path))
        assert task_args() == {"a": 1, "nested": {"b": [1, 2]}}

    def test_environment_wins_over_working_directory_and_pod_home(
        self, tmp_path: Path, outside_task: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_json(outside_task / "arguments.json", {"from": "cwd"})
        write_json(runtime.POD_ARGUMENTS_PATH, {"from": "pod"})
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", str(write_json(tmp_path / "env.json", {"from": "env"})))
        assert task_args() == {"from": "env"}

    def test_working_directory_wins_over_pod_home(self, outside_task: Path) -> None:
        write_json(outside_task / "arguments.json", {"from": "cwd"})
        write_json(runtime.POD_ARGUMENTS_PATH, {"from": "pod"})
        assert task_args() == {"from": "cwd"}

    def test_pod_home_is_the_last_resort(self) -> None:
        write_json(runtime.POD_ARGUMENTS_PATH, {"from": "pod"})
        assert task_args() == {"from": "pod"}

    def test_empty_environment_variable_counts_as_unset(
        self, outside_task: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", "")
        write_json(outside_task / "arguments.json", {"from": "cwd"})
        assert task_args() == {"from": "cwd"}

    def test_relative_environment_path_is_relative_to_the_working_directory(
        self, outside_task: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_json(outside_task / "sub" / "args.json", {"relative": True})
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", "sub/args.json")
        assert task_args() == {"relative": True}

    def test_reads_utf8(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = tmp_path / "arguments.json"
        path.write_text('{"name": "café ☕", "emoji": "🦘"}', encoding="utf-8")
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", str(path))
        assert task_args() == {"name": "café ☕", "emoji": "🦘"}

    def test_each_call_reads_the_file_again(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = write_json(tmp_path / "arguments.json", {"n": 1})
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", str(path))
        assert task_args() == {"n": 1}
        write_json(path, {"n": 2})
        assert task_args() == {"n": 2}


class TestTaskArgsRejects:
    @pytest.mark.parametrize(
        ("content", "kind"),
        [
            pytest.param("[1, 2]", "list", id="array"),
            pytest.param('"text"', "str", id="string"),
            pytest.param("42", "int", id="number"),
            pytest.param("null", "NoneType", id="null"),
            pytest.param("true", "bool", id="boolean"),
        ],
    )
    def test_json_that_is_not_an_object(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, kind: str
    ) -> None:
        path = tmp_path / "arguments.json"
        path.write_text(content, encoding="utf-8")
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", str(path))
        with pytest.raises(ValueError, match=f"must be a JSON object, got {kind}") as caught:
            task_args()
        assert str(path) in str(caught.value)

    @pytest.mark.parametrize(
        "content",
        [
            pytest.param("", id="empty-file"),
            pytest.param("{'single': 'quotes'}", id="python-literal"),
            pytest.param('{"cut": ', id="truncated"),
        ],
    )
    def test_invalid_json(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str) -> None:
        path = tmp_path / "arguments.json"
        path.write_text(content, encoding="utf-8")
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", str(path))
        with pytest.raises(ValueError, match="are not valid JSON") as caught:
            task_args()
        assert str(path) in str(caught.value)

    def test_invalid_json_in_working_directory(self, outside_task: Path) -> None:
        (outside_task / "arguments.json").write_text("not json", encoding="utf-8")
        with pytest.raises(ValueError, match="are not valid JSON"):
            task_args()

    @pytest.mark.parametrize(
        "make_target",
        [
            pytest.param(lambda tmp: tmp / "missing.json", id="missing-file"),
            pytest.param(lambda tmp: tmp, id="a-directory"),
        ],
    )
    def test_environment_path_that_is_not_a_file(
        self,
        tmp_path: Path,
        outside_task: Path,
        monkeypatch: pytest.MonkeyPatch,
        make_target: Callable[[Path], Path],
    ) -> None:
        """A launcher that points at nothing is broken: say so rather than run with no arguments."""
        write_json(outside_task / "arguments.json", {"from": "cwd"})
        monkeypatch.setenv("WALLAROO_ARGUMENTS_PATH", str(make_target(tmp_path)))
        with pytest.raises(FileNotFoundError, match="WALLAROO_ARGUMENTS_PATH points at"):
            task_args()


class TestTaskContext:
    def test_outside_a_task_every_field_is_none(self) -> None:
        assert task_context() == TaskContext()
        assert all(value is None for value in dataclasses.asdict(task_context()).values())

    def test_reads_the_launcher_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        env = {
            "WALLAROO_TASK_ID": "task-1",
            "TASK_ID": "task-1",
            "WALLAROO_TASK_RUN_ID": "run-9",
            "ORCH_SHA": "ab" * 32,
            "ORCH_OWNER_ID": "owner-uuid",
            "WALLAROO_WORKSPACE_ID": "12",
            "WALLAROO_API_URL": "http://127.0.0.1:8080/v1/api",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert task_context() == TaskContext(
            task_id="task-1",
            run_id="run-9",
            orch_sha="ab" * 32,
            owner_id="owner-uuid",
            workspace_id=12,
            api_url="http://127.0.0.1:8080/v1/api",
        )

    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            pytest.param({"TASK_ID": "plain"}, "plain", id="task-id-only"),
            pytest.param({"WALLAROO_TASK_ID": "w", "TASK_ID": "plain"}, "w", id="wallaroo-wins"),
            pytest.param({"WALLAROO_TASK_ID": "", "TASK_ID": "plain"}, "plain", id="empty-wallaroo"),
        ],
    )
    def test_task_id(self, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert task_context().task_id == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param("", None, id="empty"),
            pytest.param("0", 0, id="zero"),
            pytest.param(" 42 ", 42, id="padded"),
        ],
    )
    def test_workspace_id(self, monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None) -> None:
        monkeypatch.setenv("WALLAROO_WORKSPACE_ID", value)
        assert task_context().workspace_id == expected

    @pytest.mark.parametrize("value", [pytest.param("abc", id="word"), pytest.param("1.5", id="float")])
    def test_workspace_id_that_is_not_an_integer(self, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
        monkeypatch.setenv("WALLAROO_WORKSPACE_ID", value)
        with pytest.raises(ValueError, match="WALLAROO_WORKSPACE_ID must be an integer"):
            task_context()

    def test_is_frozen(self) -> None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            task_context().task_id = "changed"  # type: ignore[misc]


class TestPublicApi:
    def test_all_names_exist(self) -> None:
        assert sorted(runtime.__all__) == sorted(set(runtime.__all__))
        for name in runtime.__all__:
            assert hasattr(runtime, name), name

    def test_importing_does_not_import_airflow(self, tmp_path: Path) -> None:
        """It runs inside task venvs and pods, which have no Airflow."""
        result = subprocess.run(
            [sys.executable, "-c", "import airflow_wallaroo.runtime, sys; print('airflow' in sys.modules)"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "False"
