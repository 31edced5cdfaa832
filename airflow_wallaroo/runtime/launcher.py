"""Runs an orchestration's entrypoint: the one launcher of the local runner and of pods.

Stdlib only, no Airflow import: the local runner calls it in the Airflow task process,
and ``runtime.pod`` runs it as a pod's command. It prepares a fresh working directory (the
unpacked archive plus ``arguments.json``), sets the environment contract, runs the
entrypoint in its own process group, and hands every output line to a callback as it
arrives, tagged ``stdout`` or ``stderr``.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from airflow_wallaroo.runtime import ARGUMENTS_FILENAME, ARGUMENTS_PATH_ENV
from airflow_wallaroo.runtime.contract import RunIdentity, contract_env

Emit = Callable[[str, str], None]
RUNTIME_PACKAGE = Path(__file__).parent


@dataclass(frozen=True)
class LaunchRequest:
    """Everything needed to run one task run's user code.

    ``source`` is the unpacked archive to copy into a fresh ``workdir``; ``None`` when
    the archive was unpacked into ``workdir`` already (in a pod, straight into its home).
    """

    source: Path | None
    workdir: Path
    python: str
    entrypoint: str
    arguments: dict[str, Any]
    identity: RunIdentity
    extra_env: dict[str, str] = field(default_factory=dict)
    runtime_site: Path | None = None


def user_env(request: LaunchRequest, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the user's process: the contract (``Inside a task run``) on top."""
    env = dict(os.environ if base is None else base)
    env.update(request.extra_env)
    env.update(contract_env(request.identity))
    env.update({ARGUMENTS_PATH_ENV: str(request.workdir / ARGUMENTS_FILENAME), "PYTHONUNBUFFERED": "1"})
    # Drop the Airflow task's own Python setup: the user's venv is a world of its own.
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)
    if request.runtime_site is not None:
        env["PYTHONPATH"] = str(request.runtime_site)
    return env


def prepare_workdir(request: LaunchRequest) -> Path:
    """Copy the unpacked archive into a fresh working dir and write ``arguments.json``."""
    if request.source is not None:
        if request.workdir.exists():
            shutil.rmtree(request.workdir)
        shutil.copytree(request.source, request.workdir, symlinks=False)
    request.workdir.mkdir(parents=True, exist_ok=True)
    (request.workdir / ARGUMENTS_FILENAME).write_text(json.dumps(request.arguments))
    return request.workdir


def install_runtime_site(folder: Path) -> Path:
    """Make ``import airflow_wallaroo.runtime`` work in a venv without this package.

    The folder gets a bare ``airflow_wallaroo`` package holding only ``runtime``, so
    user code sees the helpers and nothing of Airflow.
    """
    package = folder / "airflow_wallaroo"
    target = package / "runtime" / "__init__.py"
    source = RUNTIME_PACKAGE / "__init__.py"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        target.parent.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text('"""Only the runtime helpers of airflow-wallaroo."""\n')
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return folder


class Launch:
    """One running entrypoint, in its own process group so it can be stopped whole."""

    def __init__(self, request: LaunchRequest) -> None:
        self.request = request
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        prepare_workdir(self.request)
        self.process = subprocess.Popen(
            [self.request.python, self.request.entrypoint],
            cwd=self.request.workdir,
            env=user_env(self.request),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self.process

    def stream(self, emit: Emit) -> int:
        """Forward output lines as they come; return the exit code."""
        assert self.process is not None and self.process.stdout and self.process.stderr
        selector = selectors.DefaultSelector()
        pipes: dict[IO[bytes], str] = {self.process.stdout: "stdout", self.process.stderr: "stderr"}
        for pipe, name in pipes.items():
            selector.register(pipe, selectors.EVENT_READ, name)
        while selector.get_map():
            for key, _ in selector.select():
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if not line:
                    selector.unregister(key.fileobj)
                    continue
                emit(key.data, line.decode("utf-8", "replace").rstrip("\n"))
        return self.process.wait()

    def kill(self, grace: float = 5.0) -> None:
        """SIGTERM the whole process group, then SIGKILL whatever is left after ``grace``."""
        if self.process is None or self.process.poll() is not None:
            return
        _signal_group(self.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self.process.poll() is None:
            time.sleep(0.05)
        _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
