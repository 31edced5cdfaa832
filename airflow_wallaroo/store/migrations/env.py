"""Alembic environment for the ``wallaroo_*`` tables, modelled on the FAB provider's."""

from __future__ import annotations

import contextlib
from typing import Any

from alembic import context

from airflow_wallaroo.airflow_compat.db import engine, sql_alchemy_conn
from airflow_wallaroo.store.db_manager import WallarooDBManager

config = context.config
version_table = WallarooDBManager.version_table_name
target_metadata = WallarooDBManager.metadata


def include_object(_: Any, name: str | None, type_: str, *args: Any) -> bool:
    """Only ever look at our own tables, never Airflow's."""
    return not (type_ == "table" and name not in target_metadata.tables)


def run_migrations_offline() -> None:
    context.configure(
        url=sql_alchemy_conn(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        version_table=version_table,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with contextlib.ExitStack() as stack:
        connection = config.attributes.get("connection", None)
        if not connection:
            connection = stack.enter_context(engine().connect())
        context.configure(
            connection=connection,
            transaction_per_migration=True,
            target_metadata=target_metadata,
            compare_type=True,
            include_object=include_object,
            render_as_batch=True,
            version_table=version_table,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
