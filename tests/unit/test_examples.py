"""The example orchestrations, run as real processes under the launcher's contract.

Each run copies the example into tmp_path, runs its main.py from there with the
environment a launcher sets, and reads the arguments from a real arguments.json.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: How main.py gets in_task()/task_args(): from airflow_wallaroo.runtime, or from its own inline
#: fallback when the package is not importable (``-S``: no site-packages, as in a bare venv).
IMPORT_MODES = [
    pytest.param([], id="runtime-package"),
    pytest.param(["-S"], id="inline-fallback"),
]


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    cwd: Path

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def run_example(
    tmp_path: Path,
    example: str,
    script: str = "main.py",
    args: dict[str, Any] | str | None = None,
    *,
    python_flags: list[str] | None = None,
    task_id: str | None = "task-under-test",
    args_in_cwd: bool = False,
    timeout: float = 60,
) -> Run:
    """Run ``examples/<example>/<script>`` like the launcher does, from a copy of the example.

    ``args`` go to ``tmp_path/launcher/arguments.json`` behind WALLAROO_ARGUMENTS_PATH, or with
    ``args_in_cwd`` to ``./arguments.json`` with no WALLAROO_ARGUMENTS_PATH; a string is written
    as is; None writes no file.
    """
    cwd = tmp_path / "orchestration"
    shutil.copytree(EXAMPLES / example, cwd)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALLAROO_") and k != "TASK_ID"}
    if python_flags:
        env.pop("PYTHONPATH", None)
    if task_id is not None:
        env.update(
            WALLAROO_TASK_ID=task_id,
            TASK_ID=task_id,
            WALLAROO_TASK_RUN_ID="run-under-test",
            ORCH_SHA="0" * 64,
            ORCH_OWNER_ID="owner-under-test",
            WALLAROO_WORKSPACE_ID="1",
            WALLAROO_API_URL="http://127.0.0.1:9/v1/api",
        )
    if args is not None:
        content = args if isinstance(args, str) else json.dumps(args)
        if args_in_cwd:
            (cwd / "arguments.json").write_text(content, encoding="utf-8")
        else:
            path = tmp_path / "launcher" / "arguments.json"
            path.parent.mkdir(parents=True)
            path.write_text(content, encoding="utf-8")
            env["WALLAROO_ARGUMENTS_PATH"] = str(path)
    result = subprocess.run(
        [sys.executable, *(python_flags or []), script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr, cwd)


def args_line(prefix: str, args: dict[str, Any]) -> str:
    return f"{prefix} {json.dumps(args, sort_keys=True)}"


class TestImportModes:
    def test_fallback_mode_really_hides_the_package(self, tmp_path: Path) -> None:
        """Otherwise the inline-fallback runs would silently test the package again."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        result = subprocess.run(
            [sys.executable, "-S", "-c", "import airflow_wallaroo"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0
        assert "No module named 'airflow_wallaroo'" in result.stderr


@pytest.mark.parametrize("python_flags", IMPORT_MODES)
class TestHelloArguments:
    @pytest.mark.parametrize(
        "args",
        [
            pytest.param({}, id="empty"),
            pytest.param({"name": "world", "n": [1, 2], "z": {"b": 1, "a": None}}, id="nested"),
            pytest.param({"greeting": "café 🦘"}, id="unicode"),
        ],
    )
    def test_prints_in_task_and_arguments(
        self, tmp_path: Path, python_flags: list[str], args: dict[str, Any]
    ) -> None:
        run = run_example(tmp_path, "hello", args=args, python_flags=python_flags)
        assert run.returncode == 0, run.stderr
        assert run.lines == ["hello: in_task = True", args_line("hello: arguments =", args), "hello: done"]
        assert run.stderr == ""

    def test_reads_arguments_json_in_the_working_directory(
        self, tmp_path: Path, python_flags: list[str]
    ) -> None:
        run = run_example(
            tmp_path, "hello", args={"where": "cwd"}, args_in_cwd=True, python_flags=python_flags
        )
        assert run.returncode == 0, run.stderr
        assert args_line("hello: arguments =", {"where": "cwd"}) in run.lines

    def test_outside_a_task(self, tmp_path: Path, python_flags: list[str]) -> None:
        run = run_example(tmp_path, "hello", task_id=None, python_flags=python_flags)
        assert run.returncode == 0, run.stderr
        assert run.lines == ["hello: in_task = False", "hello: arguments = {}", "hello: done"]


@pytest.mark.parametrize("python_flags", IMPORT_MODES)
class TestHelloFailure:
    def test_fail_exits_3_with_a_message(self, tmp_path: Path, python_flags: list[str]) -> None:
        run = run_example(tmp_path, "hello", args={"fail": True}, python_flags=python_flags)
        assert run.returncode == 3
        assert args_line("hello: arguments =", {"fail": True}) in run.lines
        assert "hello: done" not in run.lines
        assert "hello: error:" in run.stderr

    def test_fail_false_succeeds(self, tmp_path: Path, python_flags: list[str]) -> None:
        run = run_example(tmp_path, "hello", args={"fail": False}, python_flags=python_flags)
        assert run.returncode == 0, run.stderr

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            pytest.param("[1, 2]", "must be a JSON object", id="array"),
            pytest.param("{not json", "", id="invalid-json"),
        ],
    )
    def test_unusable_arguments_file_fails(
        self, tmp_path: Path, python_flags: list[str], content: str, message: str
    ) -> None:
        run = run_example(tmp_path, "hello", args=content, python_flags=python_flags)
        assert run.returncode not in (0, 3)
        assert "Traceback" in run.stderr
        assert message in run.stderr


class TestHelloSleep:
    def test_ticks_each_second_then_finishes(self, tmp_path: Path) -> None:
        run = run_example(tmp_path, "hello", args={"sleep": 2})
        assert run.returncode == 0, run.stderr
        assert run.lines[2:] == ["hello: tick 1", "hello: tick 2", "hello: done"]

    def test_sleep_then_fail(self, tmp_path: Path) -> None:
        run = run_example(tmp_path, "hello", args={"sleep": 1, "fail": True})
        assert run.returncode == 3
        assert run.lines[2:] == ["hello: tick 1"]

    def test_ticks_are_flushed_while_running(self, tmp_path: Path) -> None:
        """A launcher that streams logs sees the first tick before the process ends."""
        cwd = shutil.copytree(EXAMPLES / "hello", tmp_path / "orchestration")
        (cwd / "arguments.json").write_text(json.dumps({"sleep": 30}), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("WALLAROO_")}
        with subprocess.Popen(
            [sys.executable, "main.py"], cwd=cwd, env=env, stdout=subprocess.PIPE, text=True
        ) as proc:
            try:
                assert proc.stdout is not None
                lines = [proc.stdout.readline().rstrip("\n") for _ in range(3)]
                assert lines[2] == "hello: tick 1"
            finally:
                proc.kill()
        assert proc.returncode != 0

    @pytest.mark.parametrize(
        "sleep",
        [
            pytest.param(-1, id="negative"),
            pytest.param("5", id="string"),
            pytest.param(True, id="boolean"),
        ],
    )
    def test_bad_sleep_is_rejected(self, tmp_path: Path, sleep: object) -> None:
        run = run_example(tmp_path, "hello", args={"sleep": sleep})
        assert run.returncode == 2
        assert "'sleep' must be a number of seconds" in run.stderr


@pytest.mark.parametrize("python_flags", IMPORT_MODES)
class TestNested:
    @pytest.mark.parametrize(
        "args",
        [pytest.param({}, id="empty"), pytest.param({"x": 1, "a": ["b"]}, id="some")],
    )
    def test_main_in_a_subdirectory_imports_its_helper(
        self, tmp_path: Path, python_flags: list[str], args: dict[str, Any]
    ) -> None:
        run = run_example(tmp_path, "nested", "app/main.py", args=args, python_flags=python_flags)
        assert run.returncode == 0, run.stderr
        assert run.lines == [args_line("nested: ok", args)]


@pytest.mark.parametrize("python_flags", IMPORT_MODES)
class TestMlBatchArguments:
    """Argument checks run before scikit-learn is imported, so they need no scikit-learn."""

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            pytest.param({"model": "svm"}, "'model' must be one of logistic, forest", id="unknown-model"),
            pytest.param({"model": 3}, "'model' must be one of", id="model-not-a-string"),
            pytest.param({"test_size": 1.5}, "'test_size' must be a number between 0 and 1", id="test-size"),
            pytest.param({"seed": "zero"}, "'seed' must be a non-negative integer", id="seed"),
            pytest.param({"output_dir": 7}, "'output_dir' must be a path", id="output-dir"),
        ],
    )
    def test_bad_argument_exits_2_with_a_message(
        self, tmp_path: Path, python_flags: list[str], args: dict[str, Any], message: str
    ) -> None:
        run = run_example(tmp_path, "ml_batch", args=args, python_flags=python_flags)
        assert run.returncode == 2
        assert f"ml_batch: error: {message}" in run.stderr
        assert not (run.cwd / "results").exists()


class TestMlBatchRequirements:
    def test_every_requirement_is_pinned(self) -> None:
        lines = (EXAMPLES / "ml_batch" / "requirements.txt").read_text(encoding="utf-8").splitlines()
        requirements = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        assert requirements
        for requirement in requirements:
            assert re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9A-Za-z.]*", requirement), requirement
        assert any(r.startswith("scikit-learn==") for r in requirements)


@pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="scikit-learn is installed in per-orchestration venvs, not in the project venv",
)
class TestMlBatchTraining:
    @pytest.mark.parametrize(
        "model", [pytest.param("logistic", id="logistic"), pytest.param("forest", id="forest")]
    )
    def test_trains_scores_and_writes_results(self, tmp_path: Path, model: str) -> None:
        args = {"model": model, "test_size": 0.25, "seed": 0}
        run = run_example(tmp_path, "ml_batch", args=args, timeout=300)
        assert run.returncode == 0, run.stderr
        (line,) = [line for line in run.lines if line.startswith("ml_batch: accuracy=")]
        accuracy = float(line.removeprefix("ml_batch: accuracy="))
        assert 0.8 <= accuracy <= 1.0

        results = run.cwd / "results"
        metrics = json.loads((results / "metrics.json").read_text(encoding="utf-8"))
        assert metrics["model"] == model
        assert metrics["accuracy"] == accuracy
        with open(results / "predictions.csv", newline="", encoding="utf-8") as fp:
            rows = list(csv.DictReader(fp))
        assert len(rows) == metrics["n_test"] > 0
        assert set(rows[0]) == {"row", "actual", "predicted"}

    def test_same_seed_same_result(self, tmp_path: Path) -> None:
        args = {"model": "forest", "seed": 3, "test_size": 0.3}
        first = run_example(tmp_path / "first", "ml_batch", args=args, timeout=300)
        second = run_example(tmp_path / "second", "ml_batch", args=args, timeout=300)
        assert first.returncode == second.returncode == 0, first.stderr + second.stderr
        for name in ("predictions.csv", "metrics.json"):
            assert (first.cwd / "results" / name).read_bytes() == (second.cwd / "results" / name).read_bytes()

    def test_output_dir_argument(self, tmp_path: Path) -> None:
        out = tmp_path / "custom" / "out"
        run = run_example(tmp_path, "ml_batch", args={"output_dir": str(out)}, timeout=300)
        assert run.returncode == 0, run.stderr
        assert (out / "metrics.json").is_file() and (out / "predictions.csv").is_file()
        assert not (run.cwd / "results").exists()
