"""The supervisor's restart of a dead component (real processes, no Airflow)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil

from airflow_wallaroo.standalone.environment import StandaloneLayout
from airflow_wallaroo.standalone.supervisor import BACKOFF_CAP_SECONDS, Component, Supervisor, backoff


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


class TestRestart:
    def test_a_dead_component_takes_its_leftovers_along_and_is_restarted_at_once(
        self, tmp_path: Path
    ) -> None:
        """A uvicorn worker or LocalExecutor worker outliving its killed leader would hold the
        api-server's port or run tasks nobody watches: the whole process group goes."""
        out = io.StringIO()
        supervisor = Supervisor(StandaloneLayout(home=tmp_path, port=1), out=out)
        child_file = tmp_path / "child.pid"
        leader = subprocess.Popen(
            ["sh", "-c", f"sleep 300 & echo $! > {child_file}; exec sleep 300"], start_new_session=True
        )
        component = Component(name="api-server", log_path=tmp_path / "api.log", args=[], process=leader)
        component.started_at = time.monotonic() - 60  # it ran a while: not an early death
        supervisor.components.append(component)
        supervisor.ready = True
        for _ in range(100):
            if child_file.exists() and child_file.read_text().strip():
                break
            time.sleep(0.05)
        child = int(child_file.read_text())
        try:
            os.kill(leader.pid, signal.SIGKILL)
            leader.wait(timeout=10)
            supervisor.check_alive()
            for _ in range(100):
                if gone(child):
                    break
                time.sleep(0.05)
            assert gone(child)
            assert "api-server exited with code -9; restarting it at once" in out.getvalue()
            assert component.restart_at is not None
            assert component.restart_at <= time.monotonic()
        finally:
            if not gone(child):
                os.kill(child, signal.SIGKILL)


class TestBackoff:
    def test_a_component_that_keeps_dying_at_start_waits_longer_each_time_up_to_a_cap(self) -> None:
        assert [backoff(n) for n in (2, 3, 4)] == [2.0, 4.0, 8.0]
        assert backoff(20) == BACKOFF_CAP_SECONDS
