"""The ``airflow-wallaroo`` commands that talk to a server over HTTP (login, ws, orch, task)."""

from __future__ import annotations

from airflow_wallaroo.client.cli.root import app, run

__all__ = ["app", "run"]
