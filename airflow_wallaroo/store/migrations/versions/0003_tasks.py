"""Tasks: what the user asked to run, and their kill/pause intent.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_wallaroo.airflow_compat.db import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallaroo_task",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(250), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("workspace_id", sa.Integer, nullable=False),
        sa.Column("orch_id", sa.String(36), nullable=False),
        sa.Column("orch_sha", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.String(250), nullable=False),
        sa.Column("schedule", sa.String(250), nullable=True),
        sa.Column("timeout", sa.Integer, nullable=True),
        sa.Column("arguments", sa.Text, nullable=False),
        sa.Column("debug", sa.Boolean, nullable=False),
        sa.Column("first_run_id", sa.String(36), nullable=False),
        sa.Column("killed", sa.Boolean, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="wallaroo_task_pkey"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["wallaroo_workspace.id"],
            name="wallaroo_task_workspace_id_fkey",
            ondelete="CASCADE",
        ),
    )
    op.create_index("idx_wallaroo_task_workspace_id", "wallaroo_task", ["workspace_id"])
    op.create_index("idx_wallaroo_task_orch_id", "wallaroo_task", ["orch_id"])
    op.create_index("idx_wallaroo_task_orch_sha", "wallaroo_task", ["orch_sha"])
    # Run ids are UUIDs that the API receives alone (get_logs_for_run): Airflow only
    # indexes (dag_id, run_id), so without this a lookup by run id scans dag_run.
    if sa.inspect(op.get_bind()).has_table("dag_run"):  # absent only in our own schema tests
        op.create_index("idx_wallaroo_dag_run_run_id", "dag_run", ["run_id"])


def downgrade() -> None:
    bind = op.get_bind()
    if (
        bind is not None
        and "idx_wallaroo_dag_run_run_id"
        in {index["name"] for index in sa.inspect(bind).get_indexes("dag_run")}
        if sa.inspect(bind).has_table("dag_run")
        else False
    ):
        op.drop_index("idx_wallaroo_dag_run_run_id", table_name="dag_run")
    op.drop_table("wallaroo_task")
