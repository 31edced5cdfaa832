"""The embedded default's environment and its passwords file."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from airflow_wallaroo.standalone import sqlite
from airflow_wallaroo.standalone.environment import (
    StandaloneLayout,
    build_environment,
    ensure_passwords,
    simple_auth_users,
    write_config,
)


class TestBuildEnvironment:
    def test_embedded_defaults(self, tmp_path: Path) -> None:
        env = build_environment(StandaloneLayout(home=tmp_path, port=8123), base={"PATH": "/usr/bin"})
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / 'airflow.db'}"
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
        assert env["AIRFLOW__WALLAROO__RUNNER"] == "local"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8123/execution/"
        assert env["AIRFLOW_HOME"] == str(tmp_path)

    def test_callers_settings_win_except_the_layout(self, tmp_path: Path) -> None:
        base = {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://x/y",
            "AIRFLOW__API__PORT": "1",
            "PATH": "",
        }
        env = build_environment(StandaloneLayout(home=tmp_path, port=8124), base=base)
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql://x/y"
        assert env["AIRFLOW__API__PORT"] == "8124"

    def test_users_are_read_from_the_simple_auth_manager_setting(self) -> None:
        assert simple_auth_users({"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "a:admin, b:viewer"}) == [
            "a",
            "b",
        ]
        assert simple_auth_users({}) == ["admin"]


class TestEnsurePasswords:
    def test_generates_missing_and_keeps_existing(self, tmp_path: Path) -> None:
        file = tmp_path / "passwords.json"
        file.write_text(json.dumps({"admin": "kept"}))
        passwords = ensure_passwords(file, ["admin", "alice"])
        assert passwords["admin"] == "kept"
        assert len(passwords["alice"]) >= 12
        assert json.loads(file.read_text()) == passwords

    def test_second_call_changes_nothing(self, tmp_path: Path) -> None:
        file = tmp_path / "passwords.json"
        first = ensure_passwords(file, ["admin"])
        assert ensure_passwords(file, ["admin"]) == first


def import_string(path: str) -> object:
    """What Airflow's ``conf.getimport`` does with a dotted path."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class TestSqliteTuning:
    """SQLite has one writer: every connection of every component waits for it (busy timeout)."""

    def test_the_embedded_sqlite_gets_a_busy_timeout_on_every_connection(self, tmp_path: Path) -> None:
        env = build_environment(StandaloneLayout(home=tmp_path, port=8125), base={"PATH": ""})
        for name in ("SQL_ALCHEMY_CONNECT_ARGS", "SQL_ALCHEMY_CONNECT_ARGS_ASYNC"):
            args = import_string(env[f"AIRFLOW__DATABASE__{name}"])
            assert args == {"timeout": sqlite.BUSY_TIMEOUT_SECONDS}

    def test_airflow_connects_with_it(self, tmp_path: Path) -> None:
        env = build_environment(StandaloneLayout(home=tmp_path, port=8126), base={"PATH": os.environ["PATH"]})
        probe = (
            "from airflow import settings; from sqlalchemy import text; settings.configure_orm()\n"
            "with settings.engine.connect() as c: print(c.execute(text('PRAGMA busy_timeout')).scalar())"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip().splitlines()[-1] == str(int(sqlite.BUSY_TIMEOUT_SECONDS * 1000))

    def test_another_database_gets_no_sqlite_arguments(self, tmp_path: Path) -> None:
        base = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://x/y", "PATH": ""}
        env = build_environment(StandaloneLayout(home=tmp_path, port=8127), base=base)
        assert not set(sqlite.SETTINGS) & set(env)

    def test_a_home_moved_from_sqlite_to_another_database_loses_them(self, tmp_path: Path) -> None:
        layout = StandaloneLayout(home=tmp_path, port=8128)
        write_config(layout.config_file, build_environment(layout, base={"PATH": ""}))
        assert "sql_alchemy_connect_args = " in layout.config_file.read_text()
        moved = build_environment(
            layout, base={"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://x/y", "PATH": ""}
        )
        write_config(layout.config_file, moved)
        assert "sql_alchemy_connect_args" not in layout.config_file.read_text()
        assert "postgresql://x/y" in layout.config_file.read_text()
