"""The Wallaroo SDK in its own venv, and one real SQLite stack for the compatibility suite.

The SDK's pins clash with Airflow's, so it never enters the project's venv: it is
installed with uv into a venv cached under pytest's cache dir, keyed by the hash of its
requirements file, and the suite runs it as subprocesses. The stack is the session's shared
SQLite ``stack`` (tests/support/stack_fixtures.py), the one the integration tier uses: the
SDK's calls need a real Airflow, not one of their own. Every test here makes its own
workspaces and orchestrations, so the other tiers' data does not get in its way.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.archives import zip_example, zip_files
from tests.support.stack import AirflowStack

SDK_REQUIREMENTS = Path(__file__).parents[1] / "integration" / "wallaroo-sdk-requirements.txt"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def sdk_python(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a venv holding ``wallaroo==2026.1.3`` and its pinned dependencies."""
    digest = hashlib.sha256(SDK_REQUIREMENTS.read_bytes()).hexdigest()[:16]
    cache = getattr(request.config, "cache", None)  # absent under ``-p no:cacheprovider``
    name = f"wallaroo-sdk-{digest}"
    home = cache.mkdir(name) if cache is not None else tmp_path_factory.mktemp(name)
    venv, done = home / "venv", home / "installed"
    python = venv / "bin" / "python"
    if done.exists() and python.exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    uv = Path(sys.executable).parent / "uv"
    try:
        subprocess.run(
            [str(uv), "venv", "--quiet", "--python", sys.executable, str(venv)],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        subprocess.run(
            [str(uv), "pip", "install", "--quiet", "--python", str(python), "-r", str(SDK_REQUIREMENTS)],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        output = getattr(exc, "stderr", "") or ""
        pytest.skip(
            f"the Wallaroo SDK could not be installed from {SDK_REQUIREMENTS.name}: {exc}\n{output[-2000:]}"
        )
    done.write_text(digest)
    return python


@pytest.fixture(scope="session")
def compat_stack(stack: AirflowStack) -> AirflowStack:
    """The session's SQLite stack, shared with the integration tier."""
    return stack


@dataclass
class SdkRun:
    """One script run in the SDK's venv: its report, and its output for failure messages."""

    report: dict
    output: str

    def step(self, name: str) -> dict:
        """A step's observations; fails naming the error if the step failed or never ran."""
        found = self.report.get(name)
        assert found is not None, f"step {name!r} never ran; the script said:\n{self.output[-4000:]}"
        assert "error" not in found, f"step {name!r} failed: {found.get('traceback', found['error'])}"
        return found


def run_sdk_script(
    python: Path, script: str, env: dict[str, str], workdir: Path, timeout: float = 1500
) -> SdkRun:
    """Run ``tests/compat/<script>`` with the SDK's python; HOME and caches stay in ``workdir``."""
    report = workdir / f"{Path(script).stem}.json"
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir / "home"),
        "XDG_CACHE_HOME": str(workdir / "cache"),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    done = subprocess.run(
        [str(python), str(HERE / script), str(report)],
        env=full_env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    if not report.exists():
        pytest.fail(f"{script} wrote no report (exit {done.returncode}):\n{output[-4000:]}")
    return SdkRun(report=json.loads(report.read_text()), output=output)


def credentials_file(stack: AirflowStack, folder: Path, user: str) -> Path:
    """The token credentials file ``auth_type="token"`` reads (``WALLAROO_SDK_CREDENTIALS``)."""
    path = folder / f"{user}-credentials.json"
    path.write_text(
        json.dumps({"token": stack.token(user), "user_email": f"{user}@example.com", "user_id": user})
    )
    return path


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def hello_archive(folder: Path, extra: dict[str, str] | None = None) -> Path:
    """``examples/hello`` zipped; ``extra`` files make its bytes (and sha) unique."""
    data = zip_example("hello")
    if extra:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            files: dict[str, str | bytes] = {n: source.read(n) for n in source.namelist()}
        data = zip_files({**files, **extra})
    path = folder / f"hello-{uuid.uuid4().hex[:8]}.zip"
    path.write_bytes(data)
    return path
