"""Where everything lives under the data folder: one map, used by every room.

``{data_folder}``::

    incoming/.tmp-upload-*          uploads being received (each held under a lock)
    artifacts/archives/<sha>.zip    the default artifact store (a URL may replace it)
    envs/<sha>/{src,venv,wheelhouse,build.json}
    envs/.errors/<sha>.txt          the tail of a failed build, for the API's ``msg``
    envs/.<sha>.lock                held while the environment of <sha> is built
    envs/.tmp-<sha>-*               a build in progress, renamed into place when complete
    envs/builds.log                 one line per real build
    runs/<task>/<run>/              a run's working directory
    runs/<task>/<run>.pid           the user process group of a running local run
    runs/<task>/<run>.attempt       which try of a run started, and whether it ended
    runs/<task>/consecutive_failures
    runs/<task>/killed              written once a kill has fully finished
    runtime_site/                   ``airflow_wallaroo.runtime`` for user venvs
    specs/shard_NN/<task>.json      the default spec folder
    specs/.errors/<task>.txt        why a spec could not become a DAG
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from airflow_wallaroo.core.naming import shard_of

INCOMING_PREFIX = ".tmp-upload-"
ARCHIVES_FOLDER = "archives"
SPEC_ERRORS_FOLDER = ".errors"


def archive_in(root: Path, sha: str) -> Path:
    """An archive's path inside a local artifact store rooted at ``root``."""
    return root / ARCHIVES_FOLDER / f"{sha}.zip"


@dataclass(frozen=True)
class EnvironmentLayout:
    """Paths of the built environments under one envs folder."""

    root: Path

    def folder(self, sha: str) -> Path:
        return self.root / sha

    def python(self, sha: str) -> Path:
        return self.folder(sha) / "venv" / "bin" / "python"

    def venv(self, sha: str) -> Path:
        return self.folder(sha) / "venv"

    def source(self, sha: str) -> Path:
        return self.folder(sha) / "src"

    def wheelhouse(self, sha: str) -> Path:
        """Wheels of the pinned requirements, for pods that install offline (runner kubernetes)."""
        return self.folder(sha) / "wheelhouse"

    def build_record(self, sha: str) -> Path:
        return self.folder(sha) / "build.json"

    def is_built(self, sha: str) -> bool:
        return self.build_record(sha).is_file()

    def error_file(self, sha: str) -> Path:
        return self.root / ".errors" / f"{sha}.txt"

    def lock_file(self, sha: str) -> Path:
        return self.root / f".{sha}.lock"

    def staging_prefix(self, sha: str) -> str:
        return f".tmp-{sha}-"

    def builds_log(self) -> Path:
        return self.root / "builds.log"

    def build_count(self, sha: str) -> int:
        """How many times the environment of ``sha`` was really built (not reused)."""
        try:
            return sum(1 for line in self.builds_log().read_text().splitlines() if line.split(" ")[0] == sha)
        except FileNotFoundError:
            return 0


@dataclass(frozen=True)
class DataLayout:
    """The data folder and the spec folder, as paths."""

    data_folder: Path
    spec_folder: Path

    @classmethod
    def under(cls, data_folder: Path) -> DataLayout:
        """The default layout: everything, specs included, under one data folder."""
        return cls(data_folder=data_folder, spec_folder=data_folder / "specs")

    @property
    def incoming(self) -> Path:
        return self.data_folder / "incoming"

    @property
    def default_artifact_store(self) -> Path:
        return self.data_folder / "artifacts"

    @property
    def envs(self) -> EnvironmentLayout:
        return EnvironmentLayout(self.data_folder / "envs")

    @property
    def runtime_site(self) -> Path:
        return self.data_folder / "runtime_site"

    @property
    def runs(self) -> Path:
        return self.data_folder / "runs"

    def task_runs(self, task_id: str) -> Path:
        return self.runs / task_id

    def run_workdir(self, task_id: str, run_id: str) -> Path:
        return self.task_runs(task_id) / run_id

    def pid_file(self, task_id: str, run_id: str) -> Path:
        return self.task_runs(task_id) / f"{run_id}.pid"

    def pid_files(self, task_id: str) -> Iterator[Path]:
        return self.task_runs(task_id).glob("*.pid")

    def attempt_file(self, task_id: str, run_id: str) -> Path:
        return self.task_runs(task_id) / f"{run_id}.attempt"

    def failures_file(self, task_id: str) -> Path:
        return self.task_runs(task_id) / "consecutive_failures"

    def kill_marker(self, task_id: str) -> Path:
        return self.task_runs(task_id) / "killed"

    def spec_shard(self, shard: int) -> Path:
        return self.spec_folder / f"shard_{shard:02d}"

    def spec_path(self, task_id: str, shards: int) -> Path:
        return self.spec_shard(shard_of(task_id, shards)) / f"{task_id}.json"

    @property
    def spec_errors(self) -> Path:
        return self.spec_folder / SPEC_ERRORS_FOLDER

    def spec_error_file(self, task_id: str) -> Path:
        return self.spec_errors / f"{task_id}.txt"
