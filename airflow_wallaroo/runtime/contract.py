"""The environment contract of a task run: the variables user code can rely on.

One builder, used by the local runner, the pod's spec and the launcher inside the pod,
so the three can never drift apart. Stdlib only, like the rest of ``runtime``.
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_wallaroo.runtime import ARGUMENTS_PATH_ENV, TASK_ID_ENV

RUN_ID_ENV = "WALLAROO_TASK_RUN_ID"
API_URL_ENV = "WALLAROO_API_URL"
WORKSPACE_ID_ENV = "WALLAROO_WORKSPACE_ID"


#: Variables a task's own ``extra_env_vars`` may not set: the contract's, the launcher's,
#: and what would change how the interpreter or the dynamic loader behave.
RESERVED_NAMES = frozenset(
    {"TASK_ID", "ORCH_SHA", "ORCH_OWNER_ID", "PATH", "HOME", "TMPDIR", "USER", "LOGNAME", "SHELL", "IFS"}
)
RESERVED_PREFIXES = ("WALLAROO_", "AIRFLOW", "LD_", "PYTHON")


def reserved(name: str) -> bool:
    """True for a variable the platform sets or that would subvert the run."""
    upper = name.upper()
    return upper in RESERVED_NAMES or upper.startswith(RESERVED_PREFIXES)


@dataclass(frozen=True)
class RunIdentity:
    """Who a run is: its task, orchestration, owner and workspace, and where the API is."""

    task_id: str
    orch_sha: str
    owner_id: str
    workspace_id: int
    api_url: str
    run_id: str | None = None


def contract_env(identity: RunIdentity) -> dict[str, str]:
    """The contract's variables (``Inside a task run``); the run id only once it is known."""
    env = {
        TASK_ID_ENV: identity.task_id,
        "TASK_ID": identity.task_id,
        "ORCH_SHA": identity.orch_sha,
        "ORCH_OWNER_ID": identity.owner_id,
        WORKSPACE_ID_ENV: str(identity.workspace_id),
        API_URL_ENV: identity.api_url,
        # The Wallaroo SDK's Client() finds the platform through this one.
        "WALLAROO_URL": identity.api_url,
    }
    if identity.run_id is not None:
        env[RUN_ID_ENV] = identity.run_id
    return env


def identity_from_env(env: dict[str, str] | None = None) -> RunIdentity:
    """Read a run's identity back from an environment built by :func:`contract_env`."""
    import os

    source = os.environ if env is None else env
    return RunIdentity(
        task_id=source.get(TASK_ID_ENV, ""),
        orch_sha=source.get("ORCH_SHA", ""),
        owner_id=source.get("ORCH_OWNER_ID", ""),
        workspace_id=int(source.get(WORKSPACE_ID_ENV) or 0),
        api_url=source.get(API_URL_ENV, ""),
        run_id=source.get(RUN_ID_ENV) or None,
    )


__all__ = ["ARGUMENTS_PATH_ENV", "RunIdentity", "contract_env", "identity_from_env"]
