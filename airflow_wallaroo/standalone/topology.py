"""What the standalone supervisor runs: the embedded default, or a distributed topology.

``embedded`` (the default): scheduler, dag-processor, triggerer and api-server on SQLite
with the LocalExecutor, every log on this machine.

``celery``: Airflow's own distributed machinery on one machine, as it would run on several:
a PostgreSQL metadata database, the CeleryExecutor with a Redis broker, N Celery workers
(each names itself with its own loopback address and serves its logs on a port of its
own), and an api-server with M worker processes whose own log folder is empty, so it reads
task logs from the workers' log servers. The data folder is shared by all, as the
ReadWriteMany volume is in a deployment.
"""

from __future__ import annotations

import hashlib
import socket
from dataclasses import dataclass, field

from airflow_wallaroo.standalone.environment import StandaloneLayout
from airflow_wallaroo.standalone.hostnames import HOSTNAME_ENV

EMBEDDED = "embedded"
CELERY = "celery"
TOPOLOGIES = (EMBEDDED, CELERY)
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


class TopologyError(ValueError):
    """Raised when a topology cannot run with the settings given."""


@dataclass(frozen=True)
class ComponentPlan:
    """One component to run: its name, its ``airflow`` arguments, its own settings."""

    name: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Topology:
    name: str = EMBEDDED
    workers: int = 2
    api_workers: int = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def shared_environment(topology: Topology, env: dict[str, str], layout: StandaloneLayout) -> dict[str, str]:
    """Settings every component of the topology shares, as defaults (the caller's own win).

    ``env`` is the caller's environment: the metadata database must come from there.
    """
    if topology.name == EMBEDDED:
        return {}
    database = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if not database.startswith("postgresql"):
        raise TopologyError(
            "the celery topology needs a PostgreSQL metadata database: set "
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://user@host:5432/db"
        )
    # One queue per home: topologies sharing a Redis never take each other's tasks.
    queue = "wallaroo-" + hashlib.sha256(str(layout.home).encode()).hexdigest()[:12]
    backend = "db+" + database  # the same driver as the metadata database
    settings = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": DEFAULT_BROKER,
        "AIRFLOW__CELERY__RESULT_BACKEND": backend,
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "airflow_wallaroo.standalone.hostnames.worker_hostname",
    }
    return settings


def components(topology: Topology, env: dict[str, str], layout: StandaloneLayout) -> list[ComponentPlan]:
    """The components to run, in start order."""
    if topology.name == EMBEDDED:
        # Every log is on this machine: the scheduler and triggerer serve none over the network.
        return [
            ComponentPlan("scheduler", ["scheduler", "--skip-serve-logs"]),
            ComponentPlan("dag-processor", ["dag-processor"]),
            ComponentPlan("triggerer", ["triggerer", "--skip-serve-logs"]),
            ComponentPlan("api-server", ["api-server"]),
        ]
    ports = [free_port() for _ in range(topology.workers)]
    queue = env.get("AIRFLOW__OPERATORS__DEFAULT_QUEUE", "default")
    workers = [
        ComponentPlan(
            f"celery-worker-{n}",
            ["celery", "worker", "--celery-hostname", f"worker-{n}@%h", "--queues", queue, "-c", "8"],
            {
                HOSTNAME_ENV: f"127.0.0.{n + 1}",
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(port),
            },
        )
        for n, port in enumerate(ports, start=1)
    ]
    api = ComponentPlan(
        "api-server",
        ["api-server", "--workers", str(topology.api_workers)],
        {
            # Nothing local to read: task logs come from the workers' log servers. Every worker
            # shares the log folder, so the first worker's server answers for all.
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(layout.home / "logs-api-server"),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(ports[0]),
        },
    )
    return [
        ComponentPlan("scheduler", ["scheduler", "--skip-serve-logs"]),
        ComponentPlan("dag-processor", ["dag-processor"]),
        ComponentPlan("triggerer", ["triggerer", "--skip-serve-logs"]),
        api,
        *workers,
    ]
