"""Orchestrations: uploaded archives, by sha, and their packaging run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_wallaroo.airflow_compat.db import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallaroo_orchestration",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("sha", sa.String(64), nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("file_name", sa.String(250), nullable=False),
        sa.Column("file_size", sa.BigInteger, nullable=False),
        sa.Column("entrypoint", sa.String(1024), nullable=False),
        sa.Column("requirements", sa.String(1024), nullable=True),
        sa.Column("image_path", sa.String(500), nullable=False),
        sa.Column("workspace_id", sa.Integer, nullable=False),
        sa.Column("owner_id", sa.String(250), nullable=False),
        sa.Column("packaging_run_id", sa.String(250), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="wallaroo_orchestration_pkey"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["wallaroo_workspace.id"],
            name="wallaroo_orchestration_workspace_id_fkey",
            ondelete="CASCADE",
        ),
    )
    op.create_index("idx_wallaroo_orchestration_sha", "wallaroo_orchestration", ["sha"])
    op.create_index("idx_wallaroo_orchestration_workspace_id", "wallaroo_orchestration", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("wallaroo_orchestration")
