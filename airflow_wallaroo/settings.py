"""Typed reads of the ``[wallaroo]`` config section: the one place that reads it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from airflow_wallaroo.get_provider_info import WALLAROO_OPTIONS

SECTION = "wallaroo"


def _raw(option: str) -> str:
    from airflow.configuration import conf

    return conf.get(SECTION, option, fallback=WALLAROO_OPTIONS[option][0]) or ""


def _int(option: str) -> int:
    return int(_raw(option))


def airflow_home() -> Path:
    """Return AIRFLOW_HOME as Airflow itself resolves it."""
    from airflow.configuration import AIRFLOW_HOME

    return Path(os.path.expanduser(AIRFLOW_HOME))


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds that an uploaded archive must stay within."""

    max_archive_bytes: int
    max_entries: int
    max_uncompressed_bytes: int
    max_compression_ratio: int
    min_free_bytes: int


@dataclass(frozen=True)
class WallarooSettings:
    """The ``[wallaroo]`` section, resolved (empty paths filled from AIRFLOW_HOME)."""

    runner: str
    data_folder: Path
    artifact_store: str
    spec_folder: Path
    spec_shards: int
    api_url: str
    limits: ArchiveLimits
    default_workspace_name: str


def load_settings() -> WallarooSettings:
    """Read the ``[wallaroo]`` section now; callers should not cache it across config reloads."""
    from airflow.configuration import conf

    data_folder = Path(_raw("data_folder") or airflow_home() / "wallaroo")
    api_url = _raw("api_url") or conf.get("api", "base_url", fallback="") or ""
    return WallarooSettings(
        runner=_raw("runner"),
        data_folder=data_folder,
        artifact_store=_raw("artifact_store") or str(data_folder / "artifacts"),
        spec_folder=Path(_raw("spec_folder") or data_folder / "specs"),
        spec_shards=_int("spec_shards"),
        api_url=api_url.rstrip("/"),
        limits=ArchiveLimits(
            max_archive_bytes=_int("max_archive_bytes"),
            max_entries=_int("max_archive_entries"),
            max_uncompressed_bytes=_int("max_uncompressed_bytes"),
            max_compression_ratio=_int("max_compression_ratio"),
            min_free_bytes=_int("min_free_bytes"),
        ),
        default_workspace_name=_raw("default_workspace_name"),
    )
