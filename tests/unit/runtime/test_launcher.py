"""The launcher against real subprocesses: every line arrives at once, in the order written."""

from __future__ import annotations

import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from airflow_wallaroo.runtime.contract import RunIdentity
from airflow_wallaroo.runtime.launcher import Launch, LaunchRequest, install_runtime_site

IDENTITY = RunIdentity(
    task_id="t-1", orch_sha="ab" * 32, owner_id="admin", workspace_id=1, api_url="", run_id="r-1"
)


def launch(tmp_path: Path, code: str) -> Launch:
    source = tmp_path / "src"
    source.mkdir(exist_ok=True)
    (source / "main.py").write_text(textwrap.dedent(code))
    return Launch(
        LaunchRequest(
            source=source,
            workdir=tmp_path / "run",
            python=sys.executable,
            entrypoint="main.py",
            arguments={},
            identity=IDENTITY,
            runtime_site=install_runtime_site(tmp_path / "site"),
        )
    )


class Collected:
    """Lines as the launcher emits them, each with the moment it arrived."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.at: list[float] = []

    def __call__(self, stream: str, line: str) -> None:
        self.lines.append((stream, line))
        self.at.append(time.monotonic())


def run(tmp_path: Path, code: str) -> tuple[Collected, int]:
    collected = Collected()
    started = launch(tmp_path, code)
    started.start()
    code_ = started.stream(collected)
    started.kill()
    return collected, code_


class TestOrderAndTimeliness:
    def test_two_lines_in_one_write_both_arrive_at_once(self, tmp_path: Path) -> None:
        collected = Collected()
        running = launch(
            tmp_path,
            """
            import sys, time
            sys.stdout.write("first\\nsecond\\n"); sys.stdout.flush()
            time.sleep(4)
            print("third")
            """,
        )
        started = time.monotonic()
        running.start()
        reader = threading.Thread(target=running.stream, args=(collected,))
        reader.start()
        deadline = time.monotonic() + 3
        while len(collected.lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert collected.lines[:2] == [("stdout", "first"), ("stdout", "second")], collected.lines
        assert collected.at[1] - started < 3, "the second line waited for more output"
        reader.join(timeout=30)
        assert collected.lines[-1] == ("stdout", "third")

    def test_alternating_flushed_stdout_and_stderr_keep_their_order(self, tmp_path: Path) -> None:
        collected, code = run(
            tmp_path,
            """
            import sys
            for i in range(1000):
                stream = sys.stdout if i % 2 == 0 else sys.stderr
                print(f"line {i}", file=stream, flush=True)
            """,
        )
        assert code == 0
        expected = [("stdout" if i % 2 == 0 else "stderr", f"line {i}") for i in range(1000)]
        assert collected.lines == expected

    def test_a_last_line_without_newline_is_kept(self, tmp_path: Path) -> None:
        code_text = 'import sys\nprint("whole")\nsys.stdout.write("no newline at exit")\n'
        collected, code = run(tmp_path, code_text)
        assert code == 0
        assert collected.lines == [("stdout", "whole"), ("stdout", "no newline at exit")]

    def test_a_one_mebibyte_line_arrives_whole(self, tmp_path: Path) -> None:
        collected, code = run(tmp_path, 'print("x" * (1024 * 1024))\nprint("after")\n')
        assert code == 0
        assert [len(line) for _, line in collected.lines] == [1024 * 1024, len("after")]

    def test_output_of_child_processes_is_kept_too(self, tmp_path: Path) -> None:
        collected, code = run(
            tmp_path,
            """
            import subprocess
            print("parent", flush=True)
            subprocess.run(["sh", "-c", "echo child-out; echo child-err >&2"], check=True)
            """,
        )
        assert code == 0
        expected = {("stdout", "parent"), ("stdout", "child-out"), ("stderr", "child-err")}
        assert set(collected.lines) == expected

    def test_a_traceback_reads_as_python_prints_it(self, tmp_path: Path) -> None:
        collected, code = run(tmp_path, 'print("before", flush=True)\nraise RuntimeError("boom")\n')
        assert code == 1
        assert collected.lines[0] == ("stdout", "before")
        assert collected.lines[1] == ("stderr", "Traceback (most recent call last):")
        assert collected.lines[-1] == ("stderr", "RuntimeError: boom")


class TestProcessLifetime:
    def test_a_child_left_running_does_not_hold_the_run(self, tmp_path: Path) -> None:
        started = time.monotonic()
        collected, code = run(
            tmp_path,
            """
            import subprocess
            subprocess.Popen(["sleep", "60"])
            print("parent done", flush=True)
            """,
        )
        assert code == 0 and ("stdout", "parent done") in collected.lines
        assert time.monotonic() - started < 20

    @pytest.mark.parametrize("sig", ["TERM", "KILL"])
    def test_the_entrypoint_dies_with_its_launcher(self, tmp_path: Path, sig: str) -> None:
        """kill -9 of the task process must not leave the user's code running unsupervised."""
        import os
        import signal
        import subprocess

        script = tmp_path / "launcher.py"
        pid_file = tmp_path / "user.pid"
        script.write_text(
            textwrap.dedent(
                f"""
                import sys
                from pathlib import Path
                sys.path.insert(0, {str(Path(__file__).parents[3])!r})
                from tests.unit.runtime.test_launcher import launch
                running = launch(Path({str(tmp_path)!r}), "import os, time\\n"
                    "open({str(pid_file)!r}, 'w').write(str(os.getpid()))\\ntime.sleep(120)\\n")
                running.start()
                running.stream(lambda s, l: None)
                """
            )
        )
        parent = subprocess.Popen([sys.executable, str(script)])
        deadline = time.monotonic() + 30
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        user_pid = int(pid_file.read_text())
        os.kill(parent.pid, getattr(signal, f"SIG{sig}"))
        parent.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(user_pid, 0)
            except ProcessLookupError:
                return
            if Path(f"/proc/{user_pid}/stat").read_text().split()[2] == "Z":
                return
            time.sleep(0.1)
        pytest.fail(f"the user process {user_pid} outlived its launcher (SIG{sig})")
