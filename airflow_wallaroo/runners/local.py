"""The local runner: user code as a subprocess in the orchestration's cached virtualenv.

The runs' user processes live on the worker's machine; their process groups are
recorded in pid files (``DataLayout.pid_file``), which is how a kill checks, from
outside, that none is left.
"""

from __future__ import annotations

import logging
import os
import signal
from datetime import timedelta
from typing import TYPE_CHECKING, Any

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

        return LocalOrchestrationOperator(
            task_id=task_id,
            spec=spec.to_json(),
            execution_timeout=timedelta(seconds=spec.timeout) if spec.timeout else None,
            retries=0,
        )

    def image(self, settings: WallarooSettings) -> str:
        # The contract: the runner's name stands for the image where runs are not containers.
        return self.name

    def processes_alive(self, layout: DataLayout, task_id: str) -> bool:
        for pid_file in layout.pid_files(task_id):
            try:
                os.killpg(int(pid_file.read_text()), 0)
                return True
            except (ValueError, ProcessLookupError, FileNotFoundError):
                continue
            except PermissionError:
                return True
        return False

    def stop_leftovers(self, layout: DataLayout, task_id: str) -> int:
        killed = 0
        for pid_file in layout.pid_files(task_id):
            try:
                pid = int(pid_file.read_text())
                os.killpg(pid, signal.SIGKILL)
                killed += 1
                log.warning("Task %s: user process group %s was still alive after the kill", task_id, pid)
            except (ValueError, ProcessLookupError, PermissionError, FileNotFoundError):
                pass
            pid_file.unlink(missing_ok=True)
        return killed
