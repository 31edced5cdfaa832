"""What an orchestration's ``main.py`` can ask about the task it runs in.

This module is imported by *user code*, inside the pod or virtualenv a task
runs in, not by the Airflow plugin. Those environments install only the
orchestration's own ``requirements.txt``, so this module uses the standard
library alone and must never import Airflow (or anything else from this
package that does): importing it has to stay cheap and dependency-free.

The contract mirrors the Wallaroo SDK (``wallaroo.Client().in_task()`` and
``.task_args()``) so that orchestration code written for Wallaroo runs
unchanged:

* the launcher sets ``WALLAROO_TASK_ID`` (and friends) in the environment;
* it writes the task's JSON arguments as ``arguments.json`` in the working
  directory and points ``WALLAROO_ARGUMENTS_PATH`` at it. In Kubernetes pods
  the working directory is ``/home/jovyan``, where the SDK looks.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ARGUMENTS_FILENAME",
    "ARGUMENTS_PATH_ENV",
    "POD_ARGUMENTS_PATH",
    "TASK_ID_ENV",
    "TaskContext",
    "arguments_path",
    "in_task",
    "task_args",
    "task_context",
]

TASK_ID_ENV = "WALLAROO_TASK_ID"
ARGUMENTS_PATH_ENV = "WALLAROO_ARGUMENTS_PATH"
ARGUMENTS_FILENAME = "arguments.json"
#: Where the Wallaroo SDK reads arguments in a Kubernetes pod.
POD_ARGUMENTS_PATH = Path("/home/jovyan") / ARGUMENTS_FILENAME


def _env(name: str) -> str | None:
    """An environment variable, with an empty value treated as unset."""
    value = os.environ.get(name)
    return value or None


def in_task() -> bool:
    """Whether this code runs as an orchestration task.

    Like the Wallaroo SDK, this only looks at ``WALLAROO_TASK_ID``; an empty
    value counts as unset so a blanked-out variable does not fake a task.
    """
    return _env(TASK_ID_ENV) is not None


def arguments_path() -> Path | None:
    """The arguments file this task would read, or None when there is none.

    ``WALLAROO_ARGUMENTS_PATH`` wins even if its file is missing, so that a
    broken launcher shows up as an error instead of silently empty arguments.
    """
    explicit = _env(ARGUMENTS_PATH_ENV)
    if explicit is not None:
        return Path(explicit)
    for candidate in (Path.cwd() / ARGUMENTS_FILENAME, POD_ARGUMENTS_PATH):
        if candidate.is_file():
            return candidate
    return None


def task_args() -> dict[str, Any]:
    """The task's JSON arguments, or ``{}`` outside a task.

    Raises ``FileNotFoundError`` when ``WALLAROO_ARGUMENTS_PATH`` names a file
    that does not exist, and ``ValueError`` when the file is not a JSON object.
    """
    path = arguments_path()
    if path is None:
        return {}
    if not path.is_file():
        raise FileNotFoundError(f"{ARGUMENTS_PATH_ENV} points at {str(path)!r}, which is not a file")
    text = path.read_text(encoding="utf-8")
    try:
        args = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"task arguments in {str(path)!r} are not valid JSON: {exc}") from exc
    if not isinstance(args, dict):
        raise ValueError(f"task arguments in {str(path)!r} must be a JSON object, got {type(args).__name__}")
    return args


@dataclass(frozen=True)
class TaskContext:
    """Who and what this task run is; every field is None outside a task."""

    task_id: str | None = None
    run_id: str | None = None
    orch_sha: str | None = None
    owner_id: str | None = None
    workspace_id: int | None = None
    api_url: str | None = None


def _workspace_id() -> int | None:
    raw = _env("WALLAROO_WORKSPACE_ID")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"WALLAROO_WORKSPACE_ID must be an integer, got {raw!r}") from None


def task_context() -> TaskContext:
    """The task's identity, read from the environment the launcher sets."""
    return TaskContext(
        task_id=_env(TASK_ID_ENV) or _env("TASK_ID"),
        run_id=_env("WALLAROO_TASK_RUN_ID"),
        orch_sha=_env("ORCH_SHA"),
        owner_id=_env("ORCH_OWNER_ID"),
        workspace_id=_workspace_id(),
        api_url=_env("WALLAROO_API_URL"),
    )
