"""Our migrations build exactly the tables the ORM describes, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from airflow_wallaroo.store.db_manager import WallarooDBManager
from airflow_wallaroo.store.tables import metadata
from tests.support.stack import PostgresDatabase, postgres_reachable


def alembic_config() -> Config:
    config = Config(WallarooDBManager.alembic_file)
    config.set_main_option("script_location", WallarooDBManager.migration_dir)
    return config


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    database = PostgresDatabase()
    url = database.create()
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        database.drop()


def _not_version_table(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name == WallarooDBManager.version_table_name)


class TestMigrations:
    def test_upgrade_to_head_matches_the_orm(self, engine: sa.Engine) -> None:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
            context = MigrationContext.configure(connection, opts={"include_name": _not_version_table})
            differences = compare_metadata(context, metadata)
        assert differences == []

    def test_downgrade_to_base_removes_every_table(self, engine: sa.Engine) -> None:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
            command.downgrade(config, "base")
            remaining = set(sa.inspect(connection).get_table_names()) & set(metadata.tables)
        assert remaining == set()

    def test_version_table_is_our_own(self) -> None:
        assert WallarooDBManager.version_table_name == "alembic_version_wallaroo"
        assert not set(metadata.tables) & {"alembic_version", "dag", "dag_run"}

    def test_airflow_accepts_the_manager(self) -> None:
        from airflow.utils.db_manager import RunDBManager

        RunDBManager._validate(WallarooDBManager)
