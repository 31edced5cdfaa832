"""Names that tie our objects to Airflow's: DAG ids, task ids, XCom keys, loader files.

One fact each. A DAG id is how a task is found in Airflow's tables, logs and UI, so it
is built and parsed only here.
"""

from __future__ import annotations

#: Every generated task DAG's id is this prefix and the task's UUID.
TASK_DAG_PREFIX = "wallaroo_task_"
#: The one Airflow task of a generated task DAG: it runs the user code.
RUN_TASK_ID = "run_orchestration"
#: The DAG whose runs build orchestration environments, one run per orchestration.
PACKAGING_DAG_ID = "wallaroo_packaging"
PACKAGING_TASK_ID = "build_environment"
#: XCom that a run's operator pushes when its ending is not a plain failure (``timed_out``).
OUTCOME_XCOM_KEY = "wallaroo_outcome"
#: One XCom key per outcome (``RunOutcome`` value -> key; a run has at most one), so reads
#: tell an outcome by its key alone: a probe of xcom's primary key, no value decoded in SQL.
OUTCOME_XCOM_KEYS = {
    "timed_out": OUTCOME_XCOM_KEY,
    "skipped": "wallaroo_outcome_skipped",
    "replaced": "wallaroo_outcome_replaced",
}
#: The logger whose records are the user's output; the API reads them back by this name.
USER_OUTPUT_LOGGER = "wallaroo.user_output"
#: Tag shared by every DAG this product generates.
PRODUCT_TAG = "wallaroo"


def dag_id_of(task_id: str) -> str:
    """The generated DAG's id of a task."""
    return f"{TASK_DAG_PREFIX}{task_id}"


def task_id_of(dag_id: str) -> str | None:
    """The task id a generated DAG belongs to, or None for any other DAG."""
    if not dag_id.startswith(TASK_DAG_PREFIX):
        return None
    return dag_id.removeprefix(TASK_DAG_PREFIX)


def shard_of(task_id: str, shards: int) -> int:
    """The spec shard of a task: stable, spread by the UUID's low bits."""
    return int(task_id.replace("-", ""), 16) % shards


def shard_loader_name(shard: int) -> str:
    """The DAG-folder file that loads one spec shard."""
    return f"wallaroo_tasks_shard_{shard:02d}.py"


PACKAGING_LOADER_NAME = "wallaroo_packaging.py"
