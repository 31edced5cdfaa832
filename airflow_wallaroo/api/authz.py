"""Airflow's roles on every route: what each action asks of the auth manager.

Reads need DAG read access; creating, killing, pausing and deleting need what Airflow asks
for triggering or editing DAGs, the way Airflow's own API checks them
(``requires_access_dag``). Workspace membership is checked on top, by the services.
"""

from __future__ import annotations

import enum

from airflow_wallaroo.airflow_compat.auth import BaseUser, Method, is_authorized_dag
from airflow_wallaroo.exceptions import ForbiddenError


class Action(enum.Enum):
    """(method, DAG access entity, what it is for a person)."""

    READ = ("GET", None, "read DAGs")
    READ_LOGS = ("GET", "TASK_LOGS", "read task logs")
    RUN = ("POST", "RUN", "trigger DAG runs")
    EDIT = ("PUT", None, "edit DAGs")
    STOP = ("PUT", "RUN", "edit DAG runs")
    DELETE = ("DELETE", None, "delete DAGs")


def check(user: BaseUser, action: Action) -> None:
    """403 unless the user's Airflow role allows ``action``."""
    method: Method
    method, entity, what = action.value
    if not is_authorized_dag(user, method, entity):
        raise ForbiddenError(f"forbidden: your Airflow role does not allow you to {what}; this needs it")
