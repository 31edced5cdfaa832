"""What a runner is, and the registry that finds one by the name in ``[wallaroo] runner``.

A runner decides how a task run executes (a local subprocess, a pod...). Adding one is a
new module with a class that follows :class:`Runner`, plus one line in ``RUNNERS``.
Runner classes are light: they import their operator (and its provider) only when a DAG
is built, so the api-server can ask a runner about processes or images cheaply.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airflow_wallaroo.core.layout import DataLayout
    from airflow_wallaroo.core.spec import TaskSpec
    from airflow_wallaroo.settings import WallarooSettings

#: Runner name -> "module:Class".
RUNNERS: dict[str, str] = {
    "local": "airflow_wallaroo.runners.local:LocalRunner",
    "kubernetes": "airflow_wallaroo.runners.kubernetes:KubernetesRunner",
}


class UnknownRunnerError(ValueError):
    """Raised when ``[wallaroo] runner`` names no registered runner."""


class Runner(Protocol):
    """How the one Airflow task of a generated DAG runs the user code."""

    name: str
    #: Packaging keeps a wheelhouse beside each environment for this runner's runs.
    needs_wheelhouse: bool

    def build_operator(self, spec: TaskSpec, settings: WallarooSettings, *, task_id: str) -> Any:
        """The Airflow operator that runs one task run of ``spec``."""

    def image(self, settings: WallarooSettings) -> str:
        """What the API reports as a task's ``image`` and an orchestration's ``image_path``."""

    def processes_alive(self, layout: DataLayout, task_id: str) -> bool:
        """Whether any user process of the task is still running on this machine."""

    def stop_leftovers(self, layout: DataLayout, task_id: str) -> int:
        """Stop whatever user process of the task outlived its run; return how many."""


#: The wait before a retry doubles at each try (Airflow's jittered exponential backoff), up to this.
MAX_RETRY_WAIT = timedelta(hours=1)
#: The wait before the first retry when a spec asks for retries without saying how long.
DEFAULT_RETRY_DELAY = timedelta(seconds=30)


def retry_arguments(spec: TaskSpec) -> dict[str, Any]:
    """The operator arguments of the task's retries: Airflow's own, with exponential backoff."""
    if spec.retries <= 0:
        return {"retries": 0}
    return {
        "retries": spec.retries,
        "retry_delay": timedelta(seconds=spec.retry_delay) if spec.retry_delay else DEFAULT_RETRY_DELAY,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": MAX_RETRY_WAIT,
    }


def get_runner(name: str) -> Runner:
    """The runner registered under ``name``."""
    try:
        module_name, class_name = RUNNERS[name].split(":")
    except KeyError:
        known = ", ".join(f"'{n}'" for n in sorted(RUNNERS))
        raise UnknownRunnerError(f"[wallaroo] runner must be one of {known}, not {name!r}") from None
    runner: Runner = getattr(importlib.import_module(module_name), class_name)()
    return runner
