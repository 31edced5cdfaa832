"""The embedded default's environment and its passwords file."""

from __future__ import annotations

import json
from pathlib import Path

from airflow_wallaroo.standalone.environment import (
    StandaloneLayout,
    build_environment,
    ensure_passwords,
    simple_auth_users,
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
