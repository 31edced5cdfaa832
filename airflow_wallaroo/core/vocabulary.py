"""The words of the task model: kinds, task statuses, run statuses, Airflow run states.

Airflow's own ``DagRunState`` values are plain strings (``"queued"``, ``"running"``...),
so they are compared as strings here and this module stays free of Airflow imports.
``docs/status.md`` writes the mapping out; keep the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class TaskKind(StrEnum):
    """How a task's runs are started."""

    RUN_ONCE = "run_once"
    RUN_SCHEDULED = "run_scheduled"
    RUN_CONTINUOUSLY = "run_continuously"


class TaskStatus(StrEnum):
    """A task's status as the contract names it."""

    PENDING = "pending"
    STARTED = "started"
    SUCCESS = "success"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    PENDING_KILL = "pending_kill"
    KILLED = "killed"
    PENDING_PAUSE = "pending_pause"
    PAUSED = "paused"
    PENDING_RESUME = "pending_resume"
    CRASH_LOOP = "crash_loop"
    SCHEDULE_ERROR = "schedule_error"


class RunStatus(StrEnum):
    """A task run's status as the contract names it."""

    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"
    TIMED_OUT = "timed_out"
    KILLED = "killed"
    #: Beyond the contract: a run a ``forbid`` concurrency policy skipped (another was active).
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


class ConcurrencyPolicy(StrEnum):
    """What a scheduled task does when a tick comes while a run is active (as Kubernetes CronJob)."""

    ALLOW = "allow"
    FORBID = "forbid"
    REPLACE = "replace"


class RunOutcome(StrEnum):
    """How a run ended when that is not a plain success or failure (the outcome XCom)."""

    TIMED_OUT = "timed_out"
    SKIPPED = "skipped"
    REPLACED = "replaced"


#: Airflow DAG-run states (``DagRunState`` values) of a run that has not ended.
ACTIVE_RUN_STATES = frozenset({"queued", "running"})
#: Task statuses of a task that will never start a run by itself again.
FINISHED_TASK_STATUSES = frozenset(
    {TaskStatus.SUCCESS, TaskStatus.FAILED, TaskStatus.TIMED_OUT, TaskStatus.KILLED}
)
#: A continuous task whose last this-many ended runs all failed is in a crash loop.
CRASH_LOOP_RUNS = 3
