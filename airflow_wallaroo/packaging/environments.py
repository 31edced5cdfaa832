"""One virtualenv per archive sha, built once and shared by every orchestration with it.

No Airflow import here: the packaging task calls it. The folders it writes are
``EnvironmentLayout``'s (``core/layout.py``).

A build happens in a temporary folder renamed into place only when complete, under
a per-sha file lock, so concurrent packagings of the same bytes build once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from airflow_wallaroo.core import locks
from airflow_wallaroo.core.layout import EnvironmentLayout
from airflow_wallaroo.core.permissions import PRIVATE, TRAVERSE, make_dir

__all__ = ["BuildResult", "EnvironmentBuildError", "EnvironmentLayout", "build_environment"]

Log = Callable[[str], None]
ERROR_TAIL_LINES = 40


class EnvironmentBuildError(Exception):
    """Raised when an orchestration's environment cannot be built; ``tail`` is the output's end."""

    def __init__(self, msg: str, tail: str = "") -> None:
        super().__init__(msg)
        self.tail = tail


@dataclass(frozen=True)
class BuildResult:
    sha: str
    reused: bool
    seconds: float


def build_environment(
    layout: EnvironmentLayout,
    sha: str,
    archive: Path,
    requirements: str | None,
    log: Log = print,
    *,
    wheelhouse: bool = False,
    python: str = sys.executable,
) -> BuildResult:
    """Unpack ``archive`` and build its environment from ``python``, or reuse the one built before.

    With ``wheelhouse``, the wheels of the requirements are kept beside it too, so task-run
    pods install them from the shared volume instead of from the package index. The
    source stays readable by the components only (runs copy it); the venv by anyone, since
    run users execute it.
    """
    started = time.monotonic()
    make_dir(layout.root, TRAVERSE)
    with locks.held(layout.lock_file(sha)):
        if layout.is_built(sha):
            log(f"reusing the environment of {sha} built before: {layout.folder(sha)}")
            return BuildResult(sha=sha, reused=True, seconds=time.monotonic() - started)
        staging = layout.root / f"{layout.staging_prefix(sha)}{uuid.uuid4().hex[:8]}"
        try:
            _build_into(staging, archive, requirements, log, python)
            if wheelhouse and requirements:
                _build_wheelhouse(staging / "wheelhouse", staging / "src" / requirements, log)
            seconds = time.monotonic() - started
            (staging / layout.build_record(sha).name).write_text(
                json.dumps(
                    {
                        "sha": sha,
                        "requirements": requirements,
                        "seconds": round(seconds, 3),
                        "built_at": time.time(),
                        "python": python,
                    }
                )
            )
            os.rename(staging, layout.folder(sha))
        except EnvironmentBuildError as failure:
            make_dir(layout.error_file(sha).parent, PRIVATE)
            layout.error_file(sha).write_text(f"{failure}\n{failure.tail}")
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        layout.error_file(sha).unlink(missing_ok=True)
        with layout.builds_log().open("a") as builds:
            builds.write(f"{sha} {time.time():.3f} {seconds:.3f}\n")
        log(f"built the environment of {sha} in {seconds:.1f} s: {layout.folder(sha)}")
        return BuildResult(sha=sha, reused=False, seconds=seconds)


def _build_into(staging: Path, archive: Path, requirements: str | None, log: Log, python: str) -> None:
    make_dir(staging, TRAVERSE)
    source = make_dir(staging / "src", PRIVATE)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(source)  # names were checked at upload: no absolute paths, no '..'
    log(f"unpacked {archive.name} into {source}")
    venv = staging / "venv"
    uv = _uv()
    if uv:
        _run([uv, "venv", "--quiet", "--relocatable", "--python", python, str(venv)], log)
    else:
        _run([python, "-m", "venv", str(venv)], log)
    if requirements:
        requirements_file = source / requirements
        log(f"installing {requirements} into the environment")
        if uv:
            _run(
                [
                    uv,
                    "pip",
                    "install",
                    "--python",
                    str(venv / "bin" / "python"),
                    "-r",
                    str(requirements_file),
                ],
                log,
            )
        else:
            _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-r", str(requirements_file)], log)
    else:
        log("no requirements.txt: the environment is a bare virtualenv")


def _build_wheelhouse(target: Path, requirements_file: Path, log: Log) -> None:
    log(f"building the wheelhouse of {requirements_file.name} for task-run pods")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--disable-pip-version-check",
            "--no-input",
            "-w",
            str(target),
            "-r",
            str(requirements_file),
        ],
        log,
    )


def _uv() -> str | None:
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.exists() else shutil.which("uv")


def _run(command: list[str], log: Log) -> None:
    """Run a build step, streaming its output into the log and keeping its tail for errors."""
    log("$ " + " ".join(command))
    tail: deque[str] = deque(maxlen=ERROR_TAIL_LINES)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            log(line)
    if process.returncode != 0:
        raise EnvironmentBuildError(
            f"{Path(command[0]).name} {' '.join(command[1:3])} failed with exit code {process.returncode}",
            "\n".join(tail),
        )


def sweep_abandoned_builds(layout: EnvironmentLayout) -> int:
    """Remove half-built environments and free lock files that dead builds left; return how many.

    A build holds its sha's lock until its staging folder is renamed into place, so a
    staging folder whose sha lock is free belongs to a build that died.
    """
    if not layout.root.is_dir():
        return 0
    removed = 0
    for lock_file in layout.root.glob(".*.lock"):
        sha = lock_file.name[1 : -len(".lock")]
        fd = locks.acquire(lock_file, blocking=False)
        if fd is None:
            continue  # a build of this sha is running
        try:
            for staging in layout.root.glob(f"{layout.staging_prefix(sha)}*"):
                shutil.rmtree(staging, ignore_errors=True)
                removed += 1
            lock_file.unlink(missing_ok=True)
        finally:
            locks.release(fd)
    return removed
