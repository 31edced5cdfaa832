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
        port: int = sock.getsockname()[1]
        return port


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
    standalone.add_argument(
        "--ready-timeout", type=float, default=180.0, help="seconds to wait for readiness"
    )
    standalone.add_argument(
        "--topology",
        choices=("embedded", "celery"),
        default="embedded",
        help="embedded (SQLite, LocalExecutor) or celery (PostgreSQL from "
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, Redis, CeleryExecutor, several workers)",
    )
    standalone.add_argument("--workers", type=int, default=2, help="celery topology: Celery workers")
    standalone.add_argument(
        "--api-workers", type=int, default=2, help="celery topology: api-server processes"
    )
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
        from airflow_wallaroo.standalone.topology import Topology

        port = args.port or free_port()
        plan = Topology(name=args.topology, workers=args.workers, api_workers=args.api_workers)
        return run_standalone(args.home or _default_home(), port, args.ready_timeout, plan)
    # The other commands act on the product's home: the one ``standalone`` uses by default,
    # whose airflow.cfg holds exactly the settings its components run with.
    os.environ.setdefault("AIRFLOW_HOME", str(_default_home()))
    if args.command == "install-dags":
        from airflow_wallaroo.core.dag_files import install_dag_files
        from airflow_wallaroo.settings import load_settings

        for path in install_dag_files(args.dags_folder, load_settings().spec_shards):
            print(f"wrote {path}")
        return 0
    if args.command in ("sweep", "reconcile"):
        return _maintain(args.command)
    return 2


def _maintain(command: str) -> int:
    """Run a maintenance step against the product's database; a clear message if it is not there."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from airflow_wallaroo.settings import load_settings
    from airflow_wallaroo.usecases.heal import reconcile, sweep_leftovers

    try:
        if command == "sweep":
            print(sweep_leftovers(load_settings()))
        else:
            print(f"re-rendered {reconcile(load_settings())} task specs")
    except (OperationalError, ProgrammingError) as exc:
        home = os.environ["AIRFLOW_HOME"]
        print(
            f"airflow-wallaroo {command}: the metadata database of AIRFLOW_HOME={home} has no Wallaroo "
            f"tables ({type(exc.orig).__name__}). Set AIRFLOW_HOME to the product's home "
            "(the folder `airflow-wallaroo standalone` prints) and retry.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
