"""The ``airflow-wallaroo`` console script."""

from __future__ import annotations

import argparse
import os
import socket
from collections.abc import Sequence
from pathlib import Path


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    if args.command == "standalone":
        from airflow_wallaroo.standalone.supervisor import run_standalone

        port = args.port or free_port()
        return run_standalone(args.home or _default_home(), port, args.ready_timeout)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
