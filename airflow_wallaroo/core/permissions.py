"""File modes of the data folder: what user code (running as another uid) may reach.

The components own everything. User code of the local runner, running as a workspace's
own uid, may pass through the folders that lead to what it is given (its venv, the
runtime helpers, its working directory) without listing them, read venvs and the runtime
helpers, and nothing else: not archives, specs (other tasks' arguments and variables),
uploads in progress, logs, or another workspace's working directories.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow_wallaroo.core.layout import DataLayout

#: Only the components.
PRIVATE = 0o700
#: Pass through to a known path, never list.
TRAVERSE = 0o711
#: Read by run users (virtualenvs, runtime helpers).
SHARED = 0o755


def make_dir(path: Path, mode: int) -> Path:
    """Create ``path`` (and missing parents, with default modes) and give it ``mode``."""
    path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_mode & 0o7777 != mode:
        os.chmod(path, mode)
    return path


def harden(layout: DataLayout, artifact_folder: Path | None) -> None:
    """Give the data folder's rooms their modes (an upgrade from a version without them)."""
    for folder, mode in (
        (layout.data_folder, TRAVERSE),
        (layout.incoming, PRIVATE),
        (layout.spec_folder, PRIVATE),
        (layout.envs.root, TRAVERSE),
        (layout.runs, TRAVERSE),
        (layout.runtime_site, SHARED),
        *([(artifact_folder, PRIVATE)] if artifact_folder is not None else []),
    ):
        make_dir(folder, mode)
