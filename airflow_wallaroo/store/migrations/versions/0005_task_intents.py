"""Tasks: a pause or resume waiting to be applied, and when and by whom a task was killed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_wallaroo.airflow_compat.db import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wallaroo_task") as batch:
        batch.add_column(sa.Column("pause_requested_at", UtcDateTime, nullable=True))
        batch.add_column(sa.Column("killed_at", UtcDateTime, nullable=True))
        batch.add_column(sa.Column("killed_by", sa.String(250), nullable=True))
    op.execute("UPDATE wallaroo_task SET killed_at = updated_at WHERE killed")


def downgrade() -> None:
    with op.batch_alter_table("wallaroo_task") as batch:
        batch.drop_column("killed_by")
        batch.drop_column("killed_at")
        batch.drop_column("pause_requested_at")
