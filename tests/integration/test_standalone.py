"""``airflow-wallaroo standalone`` as a user runs it: readiness, a dying component, Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import psutil

from tests.support.stack import AirflowStack


def test_a_component_that_dies_stops_everything_and_names_itself(tmp_path: Path) -> None:
    # The api-server cannot bind a port that something else holds: it exits, and so must we.
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        process = subprocess.run(
            [
                sys.executable,
                "-m",
                "airflow_wallaroo.cli",
                "standalone",
                "--home",
                str(tmp_path),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert process.returncode == 1, process.stdout + process.stderr
    assert "FAILED: api-server exited with code" in process.stdout
    assert "Traceback" not in process.stdout.split("FAILED")[0]


def test_sigterm_stops_every_component(tmp_path: Path) -> None:
    stack = AirflowStack(home=tmp_path, backend="sqlite")
    stack.start()
    try:
        assert stack.process is not None
        supervisor = psutil.Process(stack.process.pid)
        components = supervisor.children(recursive=False)
        names = " | ".join(" ".join(c.cmdline()) for c in components)
        for component in ("airflow scheduler", "airflow dag-processor", "airflow triggerer", "airflow api"):
            assert component in names, names
        children = supervisor.children(recursive=True)
        # The printed example works as printed.
        output = stack.output_path.read_text()
        assert f"user / password    : admin / {stack.password('admin')}" in output
        answer = httpx.post(
            f"{stack.base_url}/v1/api/workspaces/list",
            json={},
            headers={"Authorization": f"Bearer {stack.token('admin')}"},
        )
        assert answer.status_code == 200
        stack.process.send_signal(signal.SIGTERM)
        assert stack.process.wait(timeout=60) == 0
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], [p.cmdline() for p in alive]
    finally:
        stack.stop()
