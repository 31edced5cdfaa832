"""Who the local runner's user code runs as, with which environment and limits.

When the components run as root (the embedded default), each workspace's runs get a uid
and gid of their own (``run_uid_base`` + workspace id) that owns nothing of the platform:
no account entry is needed, as with OpenShift's arbitrary uids (``HOME``, ``USER`` and
``TMPDIR`` are set). This is Airflow's ``run_as_user`` idea (impersonation), applied to
the user code alone: the Airflow task process keeps its config and execution-API token
out of the user's reach. When the components do not run as root, user code runs as
their user, and the start-up warning says what that means.
"""

from __future__ import annotations

import logging
import os
import pwd
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from airflow_wallaroo.settings import WallarooSettings

log = logging.getLogger(__name__)
NO_SWITCH = "none"


@dataclass(frozen=True)
class RunAs:
    """The uid, gid and name a run's user code gets."""

    uid: int
    gid: int
    name: str


def run_as_for(workspace_id: int, settings: WallarooSettings) -> RunAs | None:
    """The user to run a workspace's code as; None to stay the components' user."""
    wanted = settings.isolation.run_as_user
    if wanted.lower() == NO_SWITCH:
        return None
    if wanted:
        entry = pwd.getpwuid(int(wanted)) if wanted.isdigit() else pwd.getpwnam(wanted)
        return RunAs(uid=entry.pw_uid, gid=entry.pw_gid, name=entry.pw_name)
    if os.geteuid() != 0:
        return None
    uid = settings.isolation.run_uid_base + workspace_id
    return RunAs(uid=uid, gid=uid, name=f"wallaroo-ws{workspace_id}")


def isolation_warning(settings: WallarooSettings) -> str | None:
    """What an operator should know at start when user code cannot be isolated, or cannot run."""
    if settings.runner != "local" or settings.isolation.run_as_user.lower() == NO_SWITCH:
        return None
    if os.geteuid() == 0 or settings.isolation.run_as_user:
        if not reachable_by_others(settings.data_folder):
            return (
                f"user code runs as a user of its own, which cannot reach the data folder "
                f"{settings.data_folder}: make every folder above it searchable by others (chmod o+x), "
                "or move [wallaroo] data_folder; runs fail until then"
            )
        return None
    user = pwd.getpwuid(os.geteuid()).pw_name
    return (
        f"user code of the local runner runs as {user!r}, the components' own user: it can read "
        "what they can (airflow.cfg, the database, every archive). Run the components as root (each "
        "workspace's code then runs as its own uid), set [wallaroo] run_as_user, or use the Kubernetes "
        "runner. See README, Security model."
    )


def reachable_by_others(path: Path) -> bool:
    """True when any uid can execute ``path``: it and every folder on the way are world-searchable."""
    try:
        real = path.resolve(strict=True)
    except OSError:
        return False
    if not os.stat(real).st_mode & stat.S_IXOTH:
        return False
    return all(os.stat(parent).st_mode & stat.S_IXOTH for parent in real.parents)


def venv_interpreter(settings: WallarooSettings) -> str:
    """The interpreter orchestration venvs are built from.

    A venv's ``python`` is a link to it, so a run user must be able to execute it: the
    components' own interpreter often lives under ``/root`` (pyenv), which run users
    cannot enter; then a same-version ``python3`` that they can is used.
    """
    if settings.isolation.venv_python:
        return settings.isolation.venv_python
    own = Path(sys.executable)
    switching = settings.isolation.run_as_user.lower() != NO_SWITCH and (
        os.geteuid() == 0 or bool(settings.isolation.run_as_user)
    )
    if not switching or reachable_by_others(own):
        return str(own)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for folder in ("/usr/local/bin", "/usr/bin"):
        candidate = Path(folder) / version
        if reachable_by_others(candidate):
            return str(candidate)
    raise RuntimeError(
        f"no {version} that run users can execute: {own} is not reachable by other users, and neither "
        f"/usr/local/bin/{version} nor /usr/bin/{version} exists; set [wallaroo] venv_python"
    )
