"""A scheduled task's ``forbid`` concurrency policy, checked by its run before the user code starts.

``forbid`` skips a tick while another run of the task is active, as Kubernetes CronJob does:
the skipped run is still created by the scheduler (so it shows, ``skipped``), and ends at
once without running the code. The count comes from Airflow's task execution API (the
task process has no database access). ``replace`` is applied from outside the run, by the
api-server's housekeeper (``usecases/concurrency.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk.exceptions import AirflowSkipException

from airflow_wallaroo.core.naming import OUTCOME_XCOM_KEYS, USER_OUTPUT_LOGGER
from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.core.vocabulary import ConcurrencyPolicy, RunOutcome


def skip_note(run_id: str) -> str:
    return (
        f"wallaroo: run {run_id} skipped: another run of this task is still active, and its "
        "concurrency_policy is forbid"
    )


def another_run_active(context: Any) -> bool:
    """Whether a run of this DAG other than this one is running, per Airflow's execution API."""
    dag_run = context["dag_run"]
    count = int(context["ti"].get_dr_count(dag_id=dag_run.dag_id, states=["running"]))
    return count > 1


def skip_if_forbidden(spec: TaskSpec, context: Any) -> None:
    """Under ``forbid``, end this run as skipped when another is active (before any user code)."""
    if spec.concurrency_policy != ConcurrencyPolicy.FORBID or not another_run_active(context):
        return
    note = skip_note(context["dag_run"].run_id)
    logging.getLogger(USER_OUTPUT_LOGGER).info("%s %s", "stderr", note)
    context["ti"].xcom_push(key=OUTCOME_XCOM_KEYS[RunOutcome.SKIPPED], value=RunOutcome.SKIPPED.value)
    raise AirflowSkipException(note)
