"""Where the CLI finds its server and token, and how the login file is kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from airflow_wallaroo.client.config import (
    Login,
    config_path,
    read_login,
    remove_login,
    resolve_connection,
    write_login,
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("WALLAROO_URL", raising=False)
    monkeypatch.delenv("WALLAROO_TOKEN", raising=False)


class TestLoginFile:
    def test_it_follows_xdg_config_home(self, tmp_path: Path) -> None:
        assert config_path() == tmp_path / "xdg" / "airflow-wallaroo" / "config.json"

    def test_it_falls_back_to_dot_config(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.delenv("XDG_CONFIG_HOME")
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert config_path() == tmp_path / "home" / ".config" / "airflow-wallaroo" / "config.json"

    def test_written_for_its_owner_only_and_read_back(self) -> None:
        path = write_login(Login(url="http://a:8080", token="jwt", username="admin"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert read_login() == Login(url="http://a:8080", token="jwt", username="admin")
        assert [p.name for p in path.parent.iterdir()] == ["config.json"]  # no temporary left

    def test_none_when_never_logged_in(self) -> None:
        assert read_login() is None
        assert remove_login() is False

    def test_removed(self) -> None:
        write_login(Login(url="http://a", token="t"))
        assert remove_login() is True
        assert read_login() is None

    @pytest.mark.parametrize(
        "content", ["{not json", "[]", '{"url": "http://a"}'], ids=["bad-json", "list", "no-token"]
    )
    def test_a_damaged_file_names_itself(self, content: str) -> None:
        config_path().parent.mkdir(parents=True)
        config_path().write_text(content)
        with pytest.raises(ValueError, match=r"config\.json.*login"):
            read_login()


class TestResolution:
    def test_flags_win(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("WALLAROO_URL", "http://env")
        monkeypatch.setenv("WALLAROO_TOKEN", "env-token")
        write_login(Login(url="http://file", token="file-token"))
        connection = resolve_connection("http://flag/", "flag-token")
        assert (connection.url, connection.token, connection.url_source) == (
            "http://flag",
            "flag-token",
            "--url",
        )

    def test_the_environment_wins_over_the_file(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("WALLAROO_URL", "http://env")
        monkeypatch.setenv("WALLAROO_TOKEN", "env-token")
        write_login(Login(url="http://file", token="file-token"))
        assert resolve_connection(None, None).token == "env-token"

    def test_the_file(self) -> None:
        write_login(Login(url="http://file", token="file-token"))
        connection = resolve_connection(None, None)
        assert (connection.url, connection.token) == ("http://file", "file-token")
        assert connection.token_source.endswith("config.json")

    def test_a_stored_token_is_never_sent_to_another_server(self) -> None:
        write_login(Login(url="http://file", token="file-token"))
        assert resolve_connection("http://elsewhere", None).token is None

    def test_nothing_configured(self) -> None:
        connection = resolve_connection(None, None)
        assert (connection.url, connection.token) == (None, None)
