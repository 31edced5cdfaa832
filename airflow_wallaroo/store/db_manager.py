"""Our external DB manager: ``airflow db migrate`` runs our migrations through it.

Airflow discovers it from ``db-managers`` in our provider info, the same hook the FAB
provider uses for its tables.
"""

from __future__ import annotations

from pathlib import Path

from airflow_wallaroo.airflow_compat.db import BaseDBManager
from airflow_wallaroo.store.tables import metadata

STORE_DIR = Path(__file__).parent


class WallarooDBManager(BaseDBManager):
    """Creates and upgrades the ``wallaroo_*`` tables in Airflow's metadata DB."""

    metadata = metadata
    version_table_name = "alembic_version_wallaroo"
    migration_dir = (STORE_DIR / "migrations").as_posix()
    alembic_file = (STORE_DIR / "alembic.ini").as_posix()
    supports_table_dropping = True

    def create_db_from_orm(self) -> None:
        """Build a fresh database by running every migration, never from the ORM.

        Airflow's default creates tables from the models and stamps head; ours must run
        the migrations because one of them adds an index to Airflow's ``dag_run``.
        """
        from alembic import command

        self.log.info("Creating the Wallaroo tables by running their migrations")
        command.upgrade(self.get_alembic_config(), "heads")  # type: ignore[no-untyped-call]
