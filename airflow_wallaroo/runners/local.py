"""The local runner: user code as a subprocess in the orchestration's cached virtualenv.

The runs' user processes live on the worker's machine; their process groups are
recorded in pid files (``DataLayout.pid_file``), which is how a kill checks, from
outside, that none is left.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_wallaroo.runners.base import retry_arguments

if TYPE_CHECKING:
    from airflow_wallaroo.core.layout import DataLayout
    from airflow_wallaroo.core.spec import TaskSpec
    from airflow_wallaroo.settings import WallarooSettings

log = logging.getLogger(__name__)


class LocalRunner:
    """Runs each task run as a subprocess of the Airflow task, on the worker."""

    name = "local"
    needs_wheelhouse = False

    def build_operator(self, spec: TaskSpec, settings: WallarooSettings, *, task_id: str) -> Any:
        from airflow_wallaroo.runners.local_operator import LocalOrchestrationOperator
        from airflow_wallaroo.runners.webhooks import notifier_callbacks

        return LocalOrchestrationOperator(
            task_id=task_id,
            spec=spec.to_json(),
            execution_timeout=timedelta(seconds=spec.timeout) if spec.timeout else None,
            **retry_arguments(spec),
            **notifier_callbacks(spec),
        )

    def image(self, settings: WallarooSettings) -> str:
        # The contract: the runner's name stands for the image where runs are not containers.
        return self.name

    def processes_alive(self, layout: DataLayout, task_id: str) -> bool:
        for pid in _local_pids(layout, task_id):
            try:
                os.killpg(pid, 0)
                return True
            except ProcessLookupError:
                continue
            except PermissionError:
                return True
        return False

    def stop_leftovers(self, layout: DataLayout, task_id: str) -> int:
        killed = 0
        for pid_file in layout.pid_files(task_id):
            owner = read_pid_file(pid_file)
            if owner is None or owner[1] != socket.gethostname():
                continue  # another machine's: its user code died with its task process there
            try:
                os.killpg(owner[0], signal.SIGKILL)
                killed += 1
                log.warning("Task %s: user process group %s outlived the kill", task_id, owner[0])
            except (ProcessLookupError, PermissionError):
                pass
            pid_file.unlink(missing_ok=True)
        return killed


def write_pid_file(path: Path, pid: int) -> None:
    """Record a run's user process group, and the machine it runs on (pids are per machine)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(f"{pid} {socket.gethostname()}\n")
    os.replace(temporary, path)  # never read half-written


def read_pid_file(path: Path) -> tuple[int, str] | None:
    try:
        words = path.read_text().split()
        return int(words[0]), words[1] if len(words) > 1 else socket.gethostname()
    except (FileNotFoundError, ValueError, IndexError):
        return None


def _local_pids(layout: DataLayout, task_id: str) -> list[int]:
    """The user process groups of the task on this machine. Another machine's are not looked at:
    a user process dies with its task process (PR_SET_PDEATHSIG), and a kill waits for the runs."""
    here = socket.gethostname()
    owners = (read_pid_file(path) for path in layout.pid_files(task_id))
    return [owner[0] for owner in owners if owner is not None and owner[1] == here]
