"""Project tables in Airflow's metadata DB, on their own MetaData.

They are created and upgraded by our migrations (``store/migrations``), which
``airflow db migrate`` runs through :class:`~airflow_wallaroo.store.db_manager.WallarooDBManager`.
Keep these models and the newest migration in step: ``tests/unit/store`` checks it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from airflow_wallaroo.airflow_compat.db import UtcDateTime
from airflow_wallaroo.core.timeutil import utcnow

NAMING_CONVENTION = {
    "ix": "idx_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_name)s_uq",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    """Declarative base on the project's own MetaData, apart from Airflow's."""

    metadata = metadata


class UserRow(Base):
    """A user the API has seen, keyed by the auth manager's user id."""

    __tablename__ = "wallaroo_user"

    user_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    username: Mapped[str] = mapped_column(String(250), index=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    default_workspace_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WorkspaceRow(Base):
    """A workspace: the unit of sharing and of access control."""

    __tablename__ = "wallaroo_workspace"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(250))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    members: Mapped[list[WorkspaceMemberRow]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan", lazy="selectin"
    )


class WorkspaceMemberRow(Base):
    """A user's membership of a workspace, as ``owner`` or ``collaborator``."""

    __tablename__ = "wallaroo_workspace_member"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("wallaroo_workspace.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(250), primary_key=True, index=True)
    user_type: Mapped[str] = mapped_column(String(20))

    workspace: Mapped[WorkspaceRow] = relationship(back_populates="members")


class OrchestrationRow(Base):
    """An uploaded orchestration. Its archive lives in the artifact store under ``sha``;
    its status is derived from its packaging DAG run (``packaging_run_id``)."""

    __tablename__ = "wallaroo_orchestration"
    __table_args__ = (
        Index("idx_wallaroo_orchestration_workspace_created", "workspace_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(250))
    file_name: Mapped[str] = mapped_column(String(250))
    file_size: Mapped[int] = mapped_column(BigInteger)
    entrypoint: Mapped[str] = mapped_column(String(1024))
    requirements: Mapped[str | None] = mapped_column(String(1024))
    image_path: Mapped[str] = mapped_column(String(500))
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("wallaroo_workspace.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(String(250))
    packaging_run_id: Mapped[str] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class TaskRow(Base):
    """An order to run an orchestration: once, on a cron schedule, or continuously.

    Its runs are the DAG runs of ``wallaroo_task_<id>``; only the intent (kill, pause)
    and what the user asked for are stored here.
    """

    __tablename__ = "wallaroo_task"
    __table_args__ = (
        Index("idx_wallaroo_task_workspace_created", "workspace_id", "created_at", "id"),
        Index("idx_wallaroo_task_orch_created", "orch_id", "created_at", "id"),
        Index("idx_wallaroo_task_sha_created", "orch_sha", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(250))
    kind: Mapped[str] = mapped_column(String(20))
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("wallaroo_workspace.id", ondelete="CASCADE"), index=True
    )
    orch_id: Mapped[str] = mapped_column(String(36), index=True)
    orch_sha: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[str] = mapped_column(String(250))
    schedule: Mapped[str | None] = mapped_column(String(250))
    #: IANA time zone the cron schedule is read in; None: UTC.
    timezone: Mapped[str | None] = mapped_column(String(64))
    timeout: Mapped[int | None] = mapped_column(Integer)
    #: Tries after a failed one, and the wait before the first (doubled at each next).
    retries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retry_delay: Mapped[int | None] = mapped_column(Integer)
    #: A scheduled task's ``allow``, ``forbid`` or ``replace`` of overlapping runs; None: allow.
    concurrency_policy: Mapped[str | None] = mapped_column(String(10))
    #: JSON ``{"url", "events", "secret"}`` of the task's notification webhook; None: none.
    notify: Mapped[str | None] = mapped_column(Text)
    arguments: Mapped[str] = mapped_column(Text)
    #: JSON object of environment variables added to every run (Kubernetes and local runners).
    extra_env_vars: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    #: JSON list of Kubernetes secret names whose keys become environment variables of the pod.
    bind_secrets: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    debug: Mapped[bool] = mapped_column(Boolean, default=False)
    first_run_id: Mapped[str] = mapped_column(String(36))
    killed: Mapped[bool] = mapped_column(Boolean, default=False)
    killed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    killed_by: Mapped[str | None] = mapped_column(String(250))
    #: The pause (or resume, ``paused`` false) the API was last asked for.
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Set while that pause or resume waits for the task's DAG to exist; cleared once applied.
    pause_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
