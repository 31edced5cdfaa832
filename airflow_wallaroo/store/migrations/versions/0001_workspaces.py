"""Workspaces, their members, and the users the API has seen.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_wallaroo.airflow_compat.db import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallaroo_user",
        sa.Column("user_id", sa.String(250), nullable=False),
        sa.Column("username", sa.String(250), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("default_workspace_id", sa.Integer, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="wallaroo_user_pkey"),
    )
    op.create_index("idx_wallaroo_user_username", "wallaroo_user", ["username"])
    op.create_index("idx_wallaroo_user_email", "wallaroo_user", ["email"])
    op.create_table(
        "wallaroo_workspace",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(250), nullable=False),
        sa.Column("archived", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="wallaroo_workspace_pkey"),
        sa.UniqueConstraint("name", name="wallaroo_workspace_name_uq"),
    )
    op.create_table(
        "wallaroo_workspace_member",
        sa.Column("workspace_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.String(250), nullable=False),
        sa.Column("user_type", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "user_id", name="wallaroo_workspace_member_pkey"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["wallaroo_workspace.id"],
            name="wallaroo_workspace_member_workspace_id_fkey",
            ondelete="CASCADE",
        ),
    )
    op.create_index("idx_wallaroo_workspace_member_user_id", "wallaroo_workspace_member", ["user_id"])


def downgrade() -> None:
    op.drop_table("wallaroo_workspace_member")
    op.drop_table("wallaroo_workspace")
    op.drop_table("wallaroo_user")
