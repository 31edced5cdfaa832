"""``[wallaroo]`` is read in one place, with empty paths resolved under AIRFLOW_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_wallaroo.settings import airflow_home, load_settings


class TestLoadSettings:
    def test_defaults_live_under_airflow_home(self) -> None:
        settings = load_settings()
        assert settings.runner == "local"
        assert settings.data_folder == airflow_home() / "wallaroo"
        assert settings.artifact_store == str(airflow_home() / "wallaroo" / "artifacts")
        assert settings.spec_folder == airflow_home() / "wallaroo" / "specs"
        assert settings.limits.max_entries > 0

    def test_environment_overrides_win(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.setenv("AIRFLOW__WALLAROO__DATA_FOLDER", str(tmp_path))
        monkeypatch.setenv("AIRFLOW__WALLAROO__MAX_ARCHIVE_ENTRIES", "7")
        monkeypatch.setenv("AIRFLOW__WALLAROO__ARTIFACT_STORE", "s3://bucket/prefix")
        settings = load_settings()
        assert settings.data_folder == tmp_path
        assert settings.spec_folder == tmp_path / "specs"
        assert settings.limits.max_entries == 7
        assert settings.artifact_store == "s3://bucket/prefix"

    def test_default_workspace_name_keeps_its_spaces(self) -> None:
        assert load_settings().default_workspace_name == "{user} - Default Workspace"

    def test_pod_settings_parse_their_json(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("AIRFLOW__WALLAROO__POD_NODE_SELECTOR", '{"pool": "ml"}')
        monkeypatch.setenv("AIRFLOW__WALLAROO__POD_IN_CLUSTER", "False")
        pod = load_settings().pod
        assert pod.node_selector == {"pool": "ml"}
        assert pod.in_cluster is False
        assert pod.resources["requests"]["memory"] == "512Mi"

    def test_a_bad_pod_option_is_named_and_spares_the_local_runner(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AIRFLOW__WALLAROO__POD_RESOURCES", "{not json")
        settings = load_settings()
        assert settings.runner == "local"
        with pytest.raises(ValueError, match="pod_resources is not valid JSON"):
            _ = settings.pod
        monkeypatch.setenv("AIRFLOW__WALLAROO__POD_RESOURCES", "[]")
        with pytest.raises(ValueError, match="pod_resources must be a JSON dict"):
            _ = load_settings().pod
