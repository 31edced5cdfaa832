"""Tasks: options beyond the seed (cron time zone, retries, concurrency policy, webhook).

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wallaroo_task") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("retries", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("retry_delay", sa.Integer, nullable=True))
        batch.add_column(sa.Column("concurrency_policy", sa.String(10), nullable=True))
        batch.add_column(sa.Column("notify", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wallaroo_task") as batch:
        batch.drop_column("notify")
        batch.drop_column("concurrency_policy")
        batch.drop_column("retry_delay")
        batch.drop_column("retries")
        batch.drop_column("timezone")
