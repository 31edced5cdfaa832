"""The container command of a task-run pod: ``python -m airflow_wallaroo.runtime.pod``.

Stdlib only, like the rest of ``airflow_wallaroo.runtime``: it runs in the task image,
which has no Airflow. Everything it needs arrives in the pod's environment, set by
``WallarooPodOperator``:

1. fetch the orchestration archive (``WALLAROO_ARCHIVE_URL``: the API's
   ``orchestration/download`` with the short-lived ``WALLAROO_ARCHIVE_TOKEN``, or a
   ``file://`` path on the shared data volume) and check it against ``ORCH_SHA``;
2. unpack it into the home folder, ``/home/jovyan`` (``WALLAROO_HOME`` replaces it,
   for tests and for images with another user), and write ``arguments.json`` there
   (from ``WALLAROO_TASK_ARGUMENTS``), the path the Wallaroo SDK reads;
3. install ``requirements.txt`` into this interpreter, from ``WALLAROO_WHEELHOUSE``
   (offline, ``--no-index``) when the deployment provides one;
4. leave the Wallaroo SDK the token file it reads in a task (see ``write_sdk_token``);
5. run the entrypoint with the task's environment, its output going to the container's
   stdout and stderr, which KubernetesPodOperator streams into the Airflow task log.

The exit code is the user code's, so a pod fails exactly when the local runner's run
would. Setup failures (fetch, checksum, unpack, pip) exit with ``SETUP_FAILED``; a
SIGTERM (the pod being deleted on kill or timeout) stops the user's process group and
exits with 143.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from airflow_wallaroo.runtime import TASK_ID_ENV
from airflow_wallaroo.runtime.contract import RUN_ID_ENV, identity_from_env
from airflow_wallaroo.runtime.launcher import Launch, LaunchRequest, install_runtime_site

#: The home folder of the task image's user; the Wallaroo SDK reads arguments.json there.
POD_HOME = "/home/jovyan"
HOME_ENV = "WALLAROO_HOME"
SETUP_FAILED = 97
SDK_TOKEN_SECONDS = 24 * 3600
FETCH_CHUNK = 1024 * 1024


class SetupError(RuntimeError):
    """The run could not be prepared: the user code never started."""


def main() -> int:
    env = os.environ
    try:
        home = Path(env.get(HOME_ENV) or POD_HOME)
        for name in (TASK_ID_ENV, RUN_ID_ENV, "ORCH_SHA"):
            _required(name)
        identity = identity_from_env(dict(env))
        request = LaunchRequest(
            source=None,
            workdir=home,
            python=sys.executable,
            entrypoint=_required("WALLAROO_ENTRYPOINT"),
            arguments=json.loads(env.get("WALLAROO_TASK_ARGUMENTS") or "{}"),
            identity=identity,
            runtime_site=install_runtime_site(Path(tempfile.mkdtemp(prefix="wallaroo-runtime-site-"))),
        )
        archive = fetch_archive(
            _required("WALLAROO_ARCHIVE_URL"), env.get("WALLAROO_ARCHIVE_TOKEN"), identity.orch_sha
        )
        unpack(archive, home)
        archive.unlink(missing_ok=True)
        requirements = env.get("WALLAROO_REQUIREMENTS", "")
        if requirements:
            install_requirements(home / requirements, env.get("WALLAROO_WHEELHOUSE", ""))
        write_sdk_token(env.get("WALLAROO_ARCHIVE_TOKEN", ""), identity.owner_id)
    except (SetupError, ValueError, OSError) as exc:
        print(f"wallaroo: the run could not be prepared: {exc}", file=sys.stderr, flush=True)
        return SETUP_FAILED
    launch = Launch(request)
    _stop_user_code_on_sigterm(launch)
    launch.start()
    return launch.stream(_echo)


def _stop_user_code_on_sigterm(launch: Launch) -> None:
    """Deleting the pod SIGTERMs the launcher, PID 1 of its container, which has no default
    handler: without this, the pod would linger until its grace period ends in SIGKILL."""

    def stop(signum: int, frame: object) -> None:
        print("wallaroo: stopping the run (SIGTERM)", file=sys.stderr, flush=True)
        launch.kill()
        sys.exit(128 + signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SetupError(f"{name} is not set")
    return value


def _echo(stream: str, line: str) -> None:
    print(line, file=sys.stdout if stream == "stdout" else sys.stderr, flush=True)


def fetch_archive(url: str, token: str | None, sha: str) -> Path:
    """Download (or copy) the archive to a temp file, refusing any byte that is not ``sha``."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    digest = hashlib.sha256()
    handle, name = tempfile.mkstemp(prefix="wallaroo-archive-", suffix=".zip")
    target = Path(name)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(request, timeout=60) as answer:
            while chunk := answer.read(FETCH_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError) as exc:
        target.unlink(missing_ok=True)
        raise SetupError(f"fetching the archive from {url.split('?')[0]} failed: {exc}") from None
    if digest.hexdigest() != sha:
        target.unlink(missing_ok=True)
        raise SetupError(f"the archive fetched has sha256 {digest.hexdigest()}, not {sha}")
    return target


def unpack(archive: Path, home: Path) -> None:
    """Unpack into ``home`` (which may be a mount point: it is filled, never replaced)."""
    home.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                target = (home / info.filename).resolve()
                if not target.is_relative_to(home.resolve()):
                    raise SetupError(f"archive entry {info.filename!r} points outside the home folder")
            zipped.extractall(home)
    except zipfile.BadZipFile as exc:
        raise SetupError(f"the archive cannot be unpacked: {exc}") from None


def write_sdk_token(token: str, owner_id: str) -> Path:
    """Give the Wallaroo SDK the offline token file its ``Client()`` reads in a task.

    In a task (``WALLAROO_TASK_ID`` set) the SDK authenticates with auth type ``orch``: it
    loads ``<user cache>/wallaroo_sdk/auth/keycloak.json`` and refreshes it against
    Keycloak only once it has expired. The expiry written here only keeps the SDK from
    trying that refresh during the run; what the API accepts is still the token's own.
    """
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = cache / "wallaroo_sdk" / "auth" / "keycloak.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    expiry = time.time() + SDK_TOKEN_SECONDS
    path.write_text(
        json.dumps(
            {
                "access_token": token,
                "expiry": expiry,
                "refresh_token": "",
                "refresh_token_expiry": expiry,
                "user_id": owner_id,
                "user_email": "",
            }
        )
    )
    return path


def install_requirements(requirements: Path, wheelhouse: str) -> None:
    """pip-install the pinned requirements into this interpreter, offline if there is a wheelhouse."""
    if not requirements.is_file():
        raise SetupError(f"{requirements.name} is missing from the archive")
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "-r",
        str(requirements),
    ]
    if wheelhouse and not Path(wheelhouse).is_dir():
        print(f"wallaroo: no wheelhouse at {wheelhouse}; installing from the package index", flush=True)
        wheelhouse = ""
    if wheelhouse:
        command[4:4] = ["--no-index", "--find-links", wheelhouse]
    print(
        f"wallaroo: installing {requirements.name}{' from ' + wheelhouse if wheelhouse else ''}", flush=True
    )
    completed = subprocess.run(
        command, cwd=requirements.parent, stdout=sys.stdout, stderr=sys.stderr, check=False
    )
    if completed.returncode != 0:
        raise SetupError(f"pip install -r {requirements.name} failed with exit code {completed.returncode}")


if __name__ == "__main__":  # pragma: no cover - the container's command
    sys.exit(main())
