"""What a crash leaves is known by its free lock, not by its age (real processes, real files)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from airflow_wallaroo.core.layout import INCOMING_PREFIX, EnvironmentLayout
from airflow_wallaroo.packaging.environments import sweep_abandoned_builds
from airflow_wallaroo.store.artifacts import sweep_abandoned_files

REPO = Path(__file__).parents[2]


def holder(code: str) -> subprocess.Popen[bytes]:
    """A process that takes a lock the way the product does, says so, and waits to be killed."""
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from airflow_wallaroo.core import locks
        {code}
        print("locked", flush=True)
        time.sleep(600)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline().strip() == b"locked"
    return process


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


class TestPartialUploads:
    def test_a_live_upload_is_kept_and_a_dead_ones_file_is_removed_however_young(
        self, tmp_path: Path
    ) -> None:
        live, dead = tmp_path / f"{INCOMING_PREFIX}live", tmp_path / f"{INCOMING_PREFIX}dead"
        uploads = [
            holder(f"path = Path({str(p)!r}); path.write_bytes(b'x'); locks.acquire(path)")
            for p in (live, dead)
        ]
        try:
            kill(uploads[1])
            assert sweep_abandoned_files(tmp_path, INCOMING_PREFIX, grace_seconds=0) == 1
            assert live.exists() and not dead.exists()
        finally:
            for upload in uploads:
                kill(upload)

    def test_a_file_is_not_judged_before_its_writer_could_lock_it(self, tmp_path: Path) -> None:
        (tmp_path / f"{INCOMING_PREFIX}just-created").write_bytes(b"x")
        assert sweep_abandoned_files(tmp_path, INCOMING_PREFIX, grace_seconds=60) == 0


class TestHalfBuiltEnvironments:
    def test_a_build_that_died_leaves_nothing_and_a_running_one_is_left_alone(self, tmp_path: Path) -> None:
        layout = EnvironmentLayout(tmp_path)
        running, died = "a" * 64, "b" * 64
        builds = []
        for sha in (running, died):
            staging = tmp_path / f"{layout.staging_prefix(sha)}1234"
            builds.append(
                holder(
                    f"locks.acquire(Path({str(layout.lock_file(sha))!r}))\n"
                    f"        Path({str(staging)!r}).mkdir()"
                )
            )
        try:
            kill(builds[1])
            assert sweep_abandoned_builds(layout) == 1
            assert list(tmp_path.glob(f"{layout.staging_prefix(running)}*"))
            assert not list(tmp_path.glob(f"{layout.staging_prefix(died)}*"))
            assert layout.lock_file(running).exists() and not layout.lock_file(died).exists()
        finally:
            for build in builds:
                kill(build)


def test_sweeping_a_missing_folder_is_fine(tmp_path: Path) -> None:
    assert sweep_abandoned_files(tmp_path / "missing", INCOMING_PREFIX) == 0
    assert sweep_abandoned_builds(EnvironmentLayout(tmp_path / "missing")) == 0
