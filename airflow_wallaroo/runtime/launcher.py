"""Runs an orchestration's entrypoint: the one launcher of the local runner and of pods.

Stdlib only, no Airflow import: the local runner calls it in the Airflow task process,
and ``runtime.pod`` runs it as a pod's command. It prepares a fresh working directory (the
unpacked archive plus ``arguments.json``), sets the environment contract, runs the
entrypoint in its own process group, and hands every output line to a callback as soon
as it is complete, tagged ``stdout`` or ``stderr``, in the order the program flushed it
(see ``runtime.output``).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow_wallaroo.runtime import ARGUMENTS_FILENAME, ARGUMENTS_PATH_ENV
from airflow_wallaroo.runtime.contract import RunIdentity, contract_env
from airflow_wallaroo.runtime.output import HEADER_BYTES, OUTPUT_FD_ENV, STDERR_TAG, STDOUT_TAG

Emit = Callable[[str, str], None]
#: The run's own temporary folder, inside its working directory (``TMPDIR``).
TMP_FOLDER = ".tmp"
#: ``run_limits`` keys and the ``resource`` limits they set.
LIMITS = {
    "memory_bytes": resource.RLIMIT_AS,
    "open_files": resource.RLIMIT_NOFILE,
    "processes": resource.RLIMIT_NPROC,
    "cpu_seconds": resource.RLIMIT_CPU,
}
RUNTIME_PACKAGE = Path(__file__).parent
#: How long output is still read after the entrypoint exited, for children that hold the pipes.
DRAIN_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1
SITECUSTOMIZE = (
    '"""airflow-wallaroo: ordered stdout/stderr for task runs (runtime.output). Generated file."""\n'
    "from airflow_wallaroo.runtime.output import install\n\n"
    "install()\n"
)


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
    #: (uid, gid) to run as; None: this process's own.
    run_as: tuple[int, int] | None = None
    #: ``resource`` limits: memory_bytes, open_files, processes, cpu_seconds.
    limits: dict[str, int] = field(default_factory=dict)
    #: The environment to build on; None: this process's (in a pod, which holds nothing else).
    base_env: dict[str, str] | None = None


def user_env(request: LaunchRequest) -> dict[str, str]:
    """The environment of the user's process: its base, the task's variables, the contract on top."""
    env = dict(os.environ if request.base_env is None else request.base_env)
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
    """Copy the unpacked archive into a fresh working dir and write ``arguments.json``.

    With ``run_as``, the whole folder is given to that user and closed to everyone else.
    """
    if request.source is not None:
        if request.workdir.exists():
            shutil.rmtree(request.workdir)
        shutil.copytree(request.source, request.workdir, symlinks=False)
    request.workdir.mkdir(parents=True, exist_ok=True)
    (request.workdir / ARGUMENTS_FILENAME).write_text(json.dumps(request.arguments))
    (request.workdir / TMP_FOLDER).mkdir(exist_ok=True)
    if request.run_as is not None:
        uid, gid = request.run_as
        os.chmod(request.workdir, 0o700)
        for folder, _dirs, files in os.walk(request.workdir):
            os.chown(folder, uid, gid, follow_symlinks=False)
            for name in files:
                os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)
    return request.workdir


def install_runtime_site(folder: Path) -> Path:
    """Make ``import airflow_wallaroo.runtime`` and the ordered output work in any venv.

    The folder gets a bare ``airflow_wallaroo`` package holding only ``runtime`` (stdlib
    only, so user code sees the helpers and nothing of Airflow) and a ``sitecustomize``
    that installs the output channel before the entrypoint runs.
    """
    package = folder / "airflow_wallaroo"
    _put(package / "__init__.py", b'"""Only the runtime helpers of airflow-wallaroo."""\n')
    for source in sorted(RUNTIME_PACKAGE.glob("*.py")):
        _put(package / "runtime" / source.name, source.read_bytes())
    _put(folder / "sitecustomize.py", SITECUSTOMIZE.encode())
    return folder


def _put(target: Path, content: bytes) -> None:
    """Write ``target`` atomically, only when it differs (runs share the folder)."""
    if target.exists() and target.read_bytes() == content:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, target)


def _child_setup(limits: dict[str, int]) -> Callable[[], None]:
    """What the child does before exec, once it is the run user: lower its limits, and die
    with the launcher (even if that is SIGKILLed), so no user code outlives its run."""
    libc = ctypes.CDLL(None, use_errno=True)
    chosen = [(LIMITS[name], value) for name, value in limits.items() if name in LIMITS]

    def setup() -> None:
        for which, value in chosen:
            _soft, hard = resource.getrlimit(which)
            ceiling = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (ceiling, ceiling))
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return setup


class _Lines:
    """Bytes in, complete lines out; what is left at the end is a last line too."""

    def __init__(self, stream: str, emit: Emit) -> None:
        self.stream = stream
        self.emit = emit
        self.pending = bytearray()

    def feed(self, data: bytes) -> None:
        self.pending.extend(data)
        while (end := self.pending.find(b"\n")) >= 0:
            self.emit(self.stream, self.pending[:end].decode("utf-8", "replace"))
            del self.pending[: end + 1]

    def close(self) -> None:
        if self.pending:
            self.emit(self.stream, self.pending.decode("utf-8", "replace"))
            self.pending.clear()


class _Records:
    """Frames from ``runtime.output`` in, lines of each stream out, in the order written."""

    def __init__(self, emit: Emit) -> None:
        self.buffer = bytearray()
        self.lines = {STDOUT_TAG: _Lines("stdout", emit), STDERR_TAG: _Lines("stderr", emit)}

    def feed(self, data: bytes) -> None:
        self.buffer.extend(data)
        while len(self.buffer) >= HEADER_BYTES:
            size = int.from_bytes(self.buffer[1:HEADER_BYTES], "big")
            if len(self.buffer) < HEADER_BYTES + size:
                return
            tag = bytes(self.buffer[:1])
            payload = bytes(self.buffer[HEADER_BYTES : HEADER_BYTES + size])
            del self.buffer[: HEADER_BYTES + size]
            if tag in self.lines:
                self.lines[tag].feed(payload)

    def close(self) -> None:
        for lines in self.lines.values():
            lines.close()


class Launch:
    """One running entrypoint, in its own process group so it can be stopped whole."""

    def __init__(self, request: LaunchRequest) -> None:
        self.request = request
        self.process: subprocess.Popen[bytes] | None = None
        self._records_fd: int | None = None

    def start(self) -> subprocess.Popen[bytes]:
        prepare_workdir(self.request)
        records_read, records_write = os.pipe()
        env = user_env(self.request)
        env[OUTPUT_FD_ENV] = str(records_write)
        uid, gid = self.request.run_as if self.request.run_as is not None else (None, None)
        try:
            self.process = subprocess.Popen(
                [self.request.python, self.request.entrypoint],
                cwd=self.request.workdir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                pass_fds=(records_write,),
                user=uid,
                group=gid,
                extra_groups=[] if uid is not None else None,
                preexec_fn=_child_setup(self.request.limits),
            )
        except BaseException:
            os.close(records_read)
            raise
        finally:
            os.close(records_write)
        self._records_fd = records_read
        return self.process

    def stream(self, emit: Emit) -> int:
        """Forward output lines as they come; return the exit code."""
        process = self.process
        assert process is not None and process.stdout is not None and process.stderr is not None
        assert self._records_fd is not None
        records = _Records(emit)
        readers: dict[int, _Lines | _Records] = {
            self._records_fd: records,
            process.stdout.fileno(): _Lines("stdout", emit),
            process.stderr.fileno(): _Lines("stderr", emit),
        }
        open_fds = set(readers)
        drain_until: float | None = None
        while open_fds:
            if drain_until is None and process.poll() is not None:
                drain_until = time.monotonic() + DRAIN_SECONDS
            timeout = 0.2 if drain_until is None else max(0.0, drain_until - time.monotonic())
            if drain_until is not None and timeout == 0.0:
                break  # a child of the entrypoint still holds a pipe: its output is not waited for
            ready, _, _ = select.select(list(open_fds), [], [], timeout)
            for fd in ready:
                data = os.read(fd, 1024 * 1024)
                if data:
                    readers[fd].feed(data)
                else:
                    open_fds.discard(fd)
        for reader in readers.values():
            reader.close()
        self._close_pipes()
        return process.wait()

    def _close_pipes(self) -> None:
        if self._records_fd is not None:
            os.close(self._records_fd)
            self._records_fd = None
        if self.process is not None:
            for pipe in (self.process.stdout, self.process.stderr):
                if pipe is not None:
                    pipe.close()

    def kill(self, grace: float = 5.0) -> None:
        """SIGTERM the whole process group, then SIGKILL whatever is left after ``grace``."""
        if self.process is None:
            return
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and self.process.poll() is None:
                time.sleep(0.05)
        # Even once the entrypoint has exited, children it left in its group are stopped.
        _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._close_pipes()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
