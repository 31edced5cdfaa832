"""Sessions on Airflow's metadata database, and the column type and migration hook we share.

Transaction rule of this product: services ``flush``, never ``commit``. A request commits
once, when its handler returns (``SessionDep`` commits then, before the answer is sent),
or, for a use case with effects outside the database (spec files, triggers, background
cleanup), once explicitly, before those effects.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from airflow import settings as airflow_settings
from airflow.api_fastapi.common.db.common import SessionDep
from airflow.utils.db_manager import BaseDBManager
from airflow.utils.session import create_session
from airflow.utils.sqlalchemy import UtcDateTime
from sqlalchemy import Engine
from sqlalchemy.orm import Session

__all__ = ["BaseDBManager", "SessionDep", "UtcDateTime", "engine", "new_session", "sql_alchemy_conn"]


@contextmanager
def new_session() -> Iterator[Session]:
    """A short session of its own: committed when the block ends, rolled back on error."""
    with create_session(scoped=False) as session:
        yield session


def engine() -> Engine:
    """Airflow's engine on its metadata database (configured by Airflow at import)."""
    if airflow_settings.engine is None:
        airflow_settings.configure_orm()  # type: ignore[no-untyped-call]
    assert airflow_settings.engine is not None
    return airflow_settings.engine


def sql_alchemy_conn() -> str:
    return str(airflow_settings.SQL_ALCHEMY_CONN)
