"""The ``airflow-wallaroo`` console script: the operator commands here, the HTTP ones in ``client.cli``."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

#: Commands run where Airflow runs; every other command line goes to the HTTP CLI.
OPS_COMMANDS = frozenset({"standalone", "install-dags", "sweep", "reconcile"})


def _default_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or Path.cwd() / ".airflow-home")


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="airflow-wallaroo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    standalone = commands.add_parser(
        "standalone", help="run scheduler, dag-processor, triggerer and api-server with the plugin"
    )
    standalone.add_argument("--port", type=int, default=8080, help="api-server port (0: pick a free one)")
    standalone.add_argument(
        "--home", type=Path, default=None, help="AIRFLOW_HOME (default: $AIRFLOW_HOME or ./.airflow-home)"
    )
    standalone.add_argument("--ready-timeout", type=float, default=180.0, help="seconds to wait for readiness")
    install = commands.add_parser("install-dags", help="write the loader files of our DAGs into a DAG folder")
    install.add_argument("dags_folder", type=Path)
    commands.add_parser("sweep", help="remove leftovers of crashed uploads now")
    commands.add_parser("reconcile", help="re-render task specs that are missing or stale")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in OPS_COMMANDS:
        from airflow_wallaroo.client.cli import run

        return run(argv)
    args = build_parser().parse_args(argv)
    if args.command == "standalone":
        from airflow_wallaroo.standalone.supervisor import run_standalone

        port = args.port or free_port()
        return run_standalone(args.home or _default_home(), port, args.ready_timeout)
    if args.command == "install-dags":
        from airflow_wallaroo.dag_files import install_dag_files
        from airflow_wallaroo.settings import load_settings

        for path in install_dag_files(args.dags_folder, load_settings().spec_shards):
            print(f"wrote {path}")
        return 0
    if args.command == "sweep":
        from airflow_wallaroo.maintenance import sweep_leftovers
        from airflow_wallaroo.settings import load_settings

        print(sweep_leftovers(load_settings()))
        return 0
    if args.command == "reconcile":
        from airflow_wallaroo.maintenance import reconcile
        from airflow_wallaroo.settings import load_settings

        print(f"re-rendered {reconcile(load_settings())} task specs")
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
