"""Typed reads of the ``[wallaroo]`` config section: the one place that reads it."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airflow_wallaroo.airflow_compat.config import airflow_home, api_base_url, config_get
from airflow_wallaroo.core.bounds import MAX_PAGE_ITEMS
from airflow_wallaroo.core.layout import DataLayout
from airflow_wallaroo.get_provider_info import WALLAROO_OPTIONS

SECTION = "wallaroo"

__all__ = [
    "ArchiveLimits",
    "PageLimits",
    "PodSettings",
    "WallarooSettings",
    "airflow_home",
    "load_pod_settings",
    "load_settings",
]


def _raw(option: str) -> str:
    return config_get(SECTION, option, fallback=WALLAROO_OPTIONS[option][0])


def _int(option: str) -> int:
    return int(_raw(option))


def _bool(option: str) -> bool:
    return _raw(option).strip().lower() in ("true", "1", "yes")


def _json(option: str, kind: type) -> Any:
    """A JSON-valued option; a bad value names the option instead of failing somewhere deep."""
    text = _raw(option) or WALLAROO_OPTIONS[option][0]
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"[{SECTION}] {option} is not valid JSON: {exc.msg}") from None
    if not isinstance(value, kind):
        raise ValueError(f"[{SECTION}] {option} must be a JSON {kind.__name__}")
    return value


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds that an uploaded archive must stay within."""

    max_archive_bytes: int
    max_entries: int
    max_uncompressed_bytes: int
    max_compression_ratio: int
    min_free_bytes: int


@dataclass(frozen=True)
class PageLimits:
    """How many items a list endpoint answers: ``size`` when not asked, never more than ``max``."""

    size: int
    max: int


@dataclass(frozen=True)
class PodSettings:
    """How task-run pods are built when ``runner = kubernetes``."""

    image: str
    namespace: str
    service_account: str
    resources: dict[str, Any]
    node_selector: dict[str, str]
    tolerations: list[dict[str, Any]]
    in_cluster: bool
    kubernetes_conn_id: str
    archive_source: str
    data_volume_claim: str
    wheelhouse: str
    run_as_user: int
    automount_service_account_token: bool


@dataclass(frozen=True)
class IsolationSettings:
    """Who the local runner's user code runs as, and with which limits."""

    run_as_user: str
    run_uid_base: int
    limits: dict[str, int]
    venv_python: str


#: The resource limits ``run_limits`` may set.
RUN_LIMIT_KEYS = ("memory_bytes", "open_files", "processes", "cpu_seconds")


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
    #: Uploads one api-server process receives at once (0: no bound).
    max_concurrent_uploads: int
    paging: PageLimits = PageLimits(size=100, max=1000)

    @functools.cached_property
    def pod(self) -> PodSettings:
        """Read where pods are built only, so a bad ``pod_*`` option never stops the local runner."""
        return load_pod_settings()

    @functools.cached_property
    def isolation(self) -> IsolationSettings:
        """Read where runs are launched and venvs built, so a bad value names itself there."""
        return load_isolation_settings()

    @property
    def layout(self) -> DataLayout:
        return DataLayout(data_folder=self.data_folder, spec_folder=self.spec_folder)


def load_settings() -> WallarooSettings:
    """Read the ``[wallaroo]`` section now; callers should not cache it across config reloads."""
    defaults = DataLayout.under(Path(_raw("data_folder") or airflow_home() / "wallaroo"))
    return WallarooSettings(
        runner=_raw("runner"),
        data_folder=defaults.data_folder,
        artifact_store=_raw("artifact_store") or str(defaults.default_artifact_store),
        spec_folder=Path(_raw("spec_folder")) if _raw("spec_folder") else defaults.spec_folder,
        spec_shards=_int("spec_shards"),
        api_url=(_raw("api_url") or api_base_url()).rstrip("/"),
        limits=ArchiveLimits(
            max_archive_bytes=_int("max_archive_bytes"),
            max_entries=_int("max_archive_entries"),
            max_uncompressed_bytes=_int("max_uncompressed_bytes"),
            max_compression_ratio=_int("max_compression_ratio"),
            min_free_bytes=_int("min_free_bytes"),
        ),
        max_concurrent_uploads=_int("max_concurrent_uploads"),
        default_workspace_name=_raw("default_workspace_name"),
        paging=_page_limits(),
    )


def _page_limits() -> PageLimits:
    size, most = _int("list_page_size"), _int("list_page_max")
    if not 1 <= most <= MAX_PAGE_ITEMS:
        raise ValueError(f"[{SECTION}] list_page_max must be from 1 to {MAX_PAGE_ITEMS}, not {most}")
    if not 1 <= size <= most:
        raise ValueError(f"[{SECTION}] list_page_size must be from 1 to list_page_max ({most}), not {size}")
    return PageLimits(size=size, max=most)


def load_pod_settings() -> PodSettings:
    """Read the ``pod_*`` options; JSON values are checked here, once."""
    archive_source = _raw("pod_archive_source")
    if archive_source not in ("api", "volume"):
        raise ValueError(f"[{SECTION}] pod_archive_source must be 'api' or 'volume', not {archive_source!r}")
    return PodSettings(
        image=_raw("pod_image"),
        namespace=_raw("pod_namespace") or "default",
        service_account=_raw("pod_service_account"),
        resources=_json("pod_resources", dict),
        node_selector=_json("pod_node_selector", dict),
        tolerations=_json("pod_tolerations", list),
        in_cluster=_bool("pod_in_cluster"),
        kubernetes_conn_id=_raw("kubernetes_conn_id"),
        archive_source=archive_source,
        data_volume_claim=_raw("pod_data_volume_claim"),
        wheelhouse=_raw("pod_wheelhouse"),
        run_as_user=_pod_uid(),
        automount_service_account_token=_bool("pod_automount_service_account_token"),
    )


def _pod_uid() -> int:
    uid = _int("pod_run_as_user")
    if uid <= 0:
        raise ValueError(f"[{SECTION}] pod_run_as_user must be a non-root uid (> 0), not {uid}")
    return uid


def load_isolation_settings() -> IsolationSettings:
    """Read ``run_as_user``, ``run_uid_base``, ``run_limits`` and ``venv_python``."""
    limits = _json("run_limits", dict)
    unknown = sorted(set(limits) - set(RUN_LIMIT_KEYS))
    if unknown:
        raise ValueError(f"[{SECTION}] run_limits: unknown limits {unknown}; known: {list(RUN_LIMIT_KEYS)}")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in limits.values()):
        raise ValueError(f"[{SECTION}] run_limits: every limit must be a positive integer")
    return IsolationSettings(
        run_as_user=_raw("run_as_user").strip(),
        run_uid_base=_int("run_uid_base"),
        limits=limits,
        venv_python=_raw("venv_python").strip(),
    )
