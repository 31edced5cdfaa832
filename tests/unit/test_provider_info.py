"""The provider info that Airflow loads through our entry point."""

from __future__ import annotations

import json
from importlib import metadata as importlib_metadata
from pathlib import Path

import jsonschema
import pytest

from airflow_wallaroo.get_provider_info import WALLAROO_OPTIONS, get_provider_info


class TestProviderInfo:
    def test_validates_against_airflows_runtime_schema(self) -> None:
        import airflow

        schema = json.loads((Path(airflow.__file__).parent / "provider_info.schema.json").read_text())
        jsonschema.validate(get_provider_info(), schema)

    def test_package_name_matches_the_distribution(self) -> None:
        assert get_provider_info()["package-name"] == importlib_metadata.metadata("airflow-wallaroo")["Name"]

    def test_entry_points_are_declared(self) -> None:
        groups = {
            ep.group: ep.value for ep in importlib_metadata.distribution("airflow-wallaroo").entry_points
        }
        assert groups["apache_airflow_provider"] == "airflow_wallaroo.get_provider_info:get_provider_info"
        assert groups["airflow.plugins"] == "airflow_wallaroo.plugin:WallarooPlugin"
        assert groups["console_scripts"] == "airflow_wallaroo.cli:main"

    @pytest.mark.parametrize("option", sorted(WALLAROO_OPTIONS))
    def test_every_option_is_declared_in_the_wallaroo_section(self, option: str) -> None:
        declared = get_provider_info()["config"]["wallaroo"]["options"][option]
        # Airflow str.format()s declared defaults; what comes out must be ours, braces included.
        assert declared["default"].format() == WALLAROO_OPTIONS[option][0]
        assert declared["description"]

    @pytest.mark.parametrize("option", ["pod_resources", "default_workspace_name"])
    def test_airflow_config_returns_defaults_with_braces(self, option: str) -> None:
        from airflow.configuration import conf

        assert conf.get("wallaroo", option) == WALLAROO_OPTIONS[option][0]

    def test_airflow_discovers_us_as_a_provider(self) -> None:
        from airflow.providers_manager import ProvidersManager

        manager = ProvidersManager()
        assert "airflow-wallaroo" in manager.providers
        assert "airflow_wallaroo.store.db_manager.WallarooDBManager" in manager.db_managers
