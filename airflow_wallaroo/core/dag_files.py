"""Small loader files that put our DAGs into a deployment's DAG folder.

The DAG code lives in the installed ``dags_factory`` package; the dag-processor only
needs a file in its DAG folder that imports it. ``airflow-wallaroo standalone`` writes
them at start; deployments run ``airflow-wallaroo install-dags <dags folder>``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from airflow_wallaroo.core.naming import PACKAGING_LOADER_NAME, shard_loader_name

PACKAGING_LOADER = (
    '"""airflow-wallaroo: the orchestration packaging DAG. Generated file: do not edit."""\n'
    "from dags_factory.packaging import build_packaging_dag\n\n"
    "dag = build_packaging_dag()\n"
)
SHARD_LOADER = (
    '"""airflow-wallaroo: the task DAGs of spec shard {shard:02d}. Generated file: do not edit."""\n'
    "from dags_factory.loader import load_shard\n\n"
    "load_shard({shard}, globals())\n"
)


def loaders(shards: int) -> dict[str, str]:
    """The loader files: one per spec shard, and the packaging DAG.

    The packaging loader comes last: written last, it is the newest file, and the
    dag-processor (sorting by modification time) parses it first, so uploads work sooner.
    """
    files = {shard_loader_name(n): SHARD_LOADER.format(shard=n) for n in range(shards)}
    files[PACKAGING_LOADER_NAME] = PACKAGING_LOADER
    return files


def install_dag_files(dags_folder: Path, shards: int = 64) -> list[Path]:
    """Write (atomically, only when changed) every loader file into ``dags_folder``."""
    dags_folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in loaders(shards).items():
        target = dags_folder / name
        if target.exists() and target.read_text() == text:
            continue
        with tempfile.NamedTemporaryFile(
            "w", dir=dags_folder, prefix=".tmp-", suffix=".txt", delete=False
        ) as tmp:
            tmp.write(text)
        os.replace(tmp.name, target)
        written.append(target)
    return written
