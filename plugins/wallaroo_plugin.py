"""Shim for deployments that load plugins from the plugins folder instead of entry points.

Only use it where the package is importable but its ``airflow.plugins`` entry point is
not seen; with both, Airflow would load the plugin twice.
"""

from __future__ import annotations

from airflow_wallaroo.plugin import WallarooPlugin

__all__ = ["WallarooPlugin"]
