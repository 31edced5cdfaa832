"""Indexes for the list endpoints' hot paths (issue 14: reads at scale).

Ours: tasks listed newest first within workspaces and within an orchestration, by
archive (``get_tasks_by_orch_sha``, oldest first), and
orchestrations newest first within workspaces, each an index walk that stops at the page.

Airflow's ``dag_run``: a task's runs are paged newest ``updated_at`` first; Airflow has
``(dag_id)``, ``(dag_id, state)`` and ``(dag_id, run_id)`` but nothing that orders a DAG's
runs by ``updated_at``, so without ``(dag_id, updated_at, id)`` every page sorts all the
task's runs. The index is added only when no index on exactly those columns exists (so a
future Airflow that adds one is not doubled), under our own ``idx_wallaroo_`` name, and
its downgrade drops only that name. Nothing else of Airflow's is touched: the timeout
outcome is read by ``xcom``'s own primary key ``(dag_run_id, task_id, map_index, key)``,
the newest runs of each task by ``idx_dag_run_dag_id``, a run by id by 0003's index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DAG_RUN_INDEX = "idx_wallaroo_dag_run_dag_id_updated_at"
DAG_RUN_COLUMNS = ["dag_id", "updated_at", "id"]


def upgrade() -> None:
    op.create_index(
        "idx_wallaroo_task_workspace_created", "wallaroo_task", ["workspace_id", "created_at", "id"]
    )
    op.create_index("idx_wallaroo_task_orch_created", "wallaroo_task", ["orch_id", "created_at", "id"])
    op.create_index("idx_wallaroo_task_sha_created", "wallaroo_task", ["orch_sha", "created_at", "id"])
    op.create_index(
        "idx_wallaroo_orchestration_workspace_created",
        "wallaroo_orchestration",
        ["workspace_id", "created_at", "id"],
    )
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("dag_run"):  # absent only in our own schema tests
        existing = [index["column_names"] for index in inspector.get_indexes("dag_run")]
        if DAG_RUN_COLUMNS not in existing:
            op.create_index(DAG_RUN_INDEX, "dag_run", DAG_RUN_COLUMNS)


def downgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("dag_run") and DAG_RUN_INDEX in {
        index["name"] for index in inspector.get_indexes("dag_run")
    }:
        op.drop_index(DAG_RUN_INDEX, table_name="dag_run")
    op.drop_index("idx_wallaroo_orchestration_workspace_created", table_name="wallaroo_orchestration")
    op.drop_index("idx_wallaroo_task_sha_created", table_name="wallaroo_task")
    op.drop_index("idx_wallaroo_task_orch_created", table_name="wallaroo_task")
    op.drop_index("idx_wallaroo_task_workspace_created", table_name="wallaroo_task")
