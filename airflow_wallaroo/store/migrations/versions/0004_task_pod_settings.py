"""Tasks: per-task environment variables and Kubernetes secrets for their runs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wallaroo_task") as batch:
        batch.add_column(sa.Column("extra_env_vars", sa.Text, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("bind_secrets", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("wallaroo_task") as batch:
        batch.drop_column("bind_secrets")
        batch.drop_column("extra_env_vars")
