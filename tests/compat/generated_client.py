"""Every ``/v1/api`` endpoint through the SDK's generated client, ``wallaroo_ml_ops_api_client``.

Runs in the SDK's venv: ``python generated_client.py <report.json>``, with ``WALLAROO_URL``,
``COMPAT_TOKEN`` (admin), ``COMPAT_OTHER_USER`` (a second user's id), ``COMPAT_ARCHIVE``
and ``COMPAT_WORKSPACE`` in the environment. For each endpoint it records the class of what
``sync()`` / ``sync_detailed()`` parsed (None when the answer did not parse as any of the
endpoint's models) and the values the pytest side checks.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wallaroo.wallaroo_ml_ops_api_client import models as m
from wallaroo.wallaroo_ml_ops_api_client.api.orchestration import (
    delete_orchestrations,
    orchestration_get_by_id,
    orchestration_list,
    orchestration_list_all,
    orchestration_upload,
)
from wallaroo.wallaroo_ml_ops_api_client.api.task import (
    cron_job,
    get_logs_for_run,
    get_run_details,
    get_tasks_by_orch_sha,
    kill,
    list_task_runs,
    network_service,
    oneshot,
    pause,
    task_get_by_id,
    task_list,
)
from wallaroo.wallaroo_ml_ops_api_client.api.workspace import (
    workspaces_add_user,
    workspaces_create,
    workspaces_list,
    workspaces_list_users,
    workspaces_remove_user,
)
from wallaroo.wallaroo_ml_ops_api_client.client import AuthenticatedClient
from wallaroo.wallaroo_ml_ops_api_client.types import UNSET, File

REPORT: dict[str, Any] = {}
client = AuthenticatedClient(base_url=os.environ["WALLAROO_URL"], token=os.environ["COMPAT_TOKEN"])


def record(endpoint: str, parsed: Any, **values: Any) -> Any:
    REPORT[endpoint] = {"parsed": type(parsed).__name__ if parsed is not None else None, **values}
    return parsed


def task_dict(task: Any) -> dict[str, Any]:
    return {
        "id": str(task.id),
        "status": str(task.status),
        "killed": task.killed,
        "name": task.name,
        "input_data": task.input_data.to_dict(),
        "last_runs": len(task.last_runs),
    }


def wait(read: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 300) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def main() -> None:
    name = os.environ["COMPAT_WORKSPACE"]
    other = os.environ["COMPAT_OTHER_USER"]

    created = workspaces_create.sync(client=client, body=m.WorkspacesCreateBody(name))
    record("workspaces/create", created, workspace_id=created.workspace_id)
    workspace_id = created.workspace_id
    rejected = workspaces_create.sync(client=client, body=m.WorkspacesCreateBody(""))
    record("workspaces/create (400)", rejected, code=rejected.code, msg=rejected.msg)

    listed = workspaces_list.sync(client=client, body=m.WorkspacesListBody(UNSET))
    mine = [w for w in listed.workspaces if w.id == workspace_id]
    record(
        "workspaces/list", listed, names=[w.name for w in listed.workspaces], mine=[w.to_dict() for w in mine]
    )
    added = workspaces_add_user.sync(
        client=client,
        body=m.WorkspacesAddUserBody(
            workspace_id=workspace_id, user_id=other, email=None, url=None, user_type=None
        ),
    )
    record("workspaces/add_user", added)
    users = workspaces_list_users.sync(client=client, body=m.WorkspacesListUsersBody(workspace_id))
    record("workspaces/list_users", users, users={u.user_id: u.user_type for u in users.users})
    removed = workspaces_remove_user.sync(
        client=client, body=m.WorkspacesRemoveUserBody(workspace_id=workspace_id, user_id=other, email=None)
    )
    record("workspaces/remove_user", removed, affected_rows=removed.affected_rows)

    # Unique bytes: no other orchestration shares them.
    archive = Path(os.environ["COMPAT_ARCHIVE"]).read_bytes()
    upload = orchestration_upload.sync_detailed(
        client=client,
        body=m.OrchestrationUploadBody(
            file=File(
                payload=io.BytesIO(archive), file_name="hello.zip", mime_type="application/octet-stream"
            ),
            metadata=m.UploadOrchestrationRequest(workspace_id=workspace_id, name=None),
        ),
    )
    record(
        "orchestration/upload", upload.parsed, status_code=int(upload.status_code), id=str(upload.parsed.id)
    )
    orch_id = upload.parsed.id
    got = wait(
        lambda: orchestration_get_by_id.sync(client=client, body=m.GetOrchestrationByIdRequest(orch_id)),
        lambda o: str(o.status) in ("ready", "error"),
    )
    record(
        "orchestration/get_by_id",
        got,
        status=str(got.status),
        sha=got.sha,
        name=got.name,
        workspace_id=got.workspace_id,
        task_id=str(got.task_id),
    )
    in_workspace = orchestration_list.sync(client=client, body=m.ListOrchestrationsRequest(workspace_id))
    record(
        "orchestration/list",
        in_workspace,
        items=[type(o).__name__ for o in in_workspace],
        ids=[str(o.id) for o in in_workspace],
        file_sizes=[o.file_size for o in in_workspace],
    )
    downloaded = client.get_httpx_client().get("/v1/api/orchestration/download", params={"id": str(orch_id)})
    REPORT["orchestration/download"] = {
        "parsed": "bytes (the generated parser expects JSON; see docs/sdk-compat.md)",
        "status_code": downloaded.status_code,
        "sha_matches": hashlib.sha256(downloaded.content).hexdigest() == got.sha,
        "sha_header": downloaded.headers.get("x-orchestration-sha") == got.sha,
    }

    once = oneshot.sync(
        client=client,
        body=m.OneshotRequest(
            json=m.OneshotRequestJson.from_dict({"n": 1}),
            orch_id=orch_id,
            workspace_id=workspace_id,
            name=None,
            timeout=None,
            debug=None,
        ),
    )
    record("task/run_once", once, id=str(once.id))
    cron = cron_job.sync(
        client=client,
        body=m.CronJobBody(
            json=m.CronJobBodyJson.from_dict({}),
            orch_id=orch_id,
            schedule="0 0 1 1 *",
            workspace_id=workspace_id,
            name="yearly",
            timeout=None,
            debug=None,
        ),
    )
    record("task/run_scheduled", cron, id=str(cron.id))
    service = network_service.sync(
        client=client,
        body=m.NetworkServiceRequest(
            json=m.NetworkServiceRequestJson.from_dict({"sleep": 60}),
            name="service",
            orch_id=orch_id,
            workspace_id=workspace_id,
            debug=None,
        ),
    )
    record("task/run_continuously", service, id=str(service.id))

    done = wait(
        lambda: task_get_by_id.sync(client=client, body=m.GetTaskByIdRequest(once.id)),
        lambda t: str(t.status) in ("success", "failed", "timed_out"),
    )
    record("task/get_by_id", done, **task_dict(done))
    tasks = task_list.sync(
        client=client,
        body=m.ListTasksRequest(
            workspace_id=workspace_id, killed=None, orch_id=None, orch_sha=None, run_limit=None
        ),
    )
    record("task/list", tasks, items=[type(t).__name__ for t in tasks], ids=[str(t.id) for t in tasks])
    by_sha = get_tasks_by_orch_sha.sync(client=client, body=m.GetTasksByOrchShaRequest(got.sha))
    record("task/get_tasks_by_orch_sha", by_sha, ids=[str(i) for i in by_sha.ids])
    runs = list_task_runs.sync(
        client=client, body=m.ListTaskRunsRequest(task_id=once.id, limit=None, status=None, time_range=None)
    )
    record(
        "task/list_task_runs",
        runs,
        items=[type(r).__name__ for r in runs],
        statuses=[str(r.status) for r in runs],
        tasks=[str(r.task) for r in runs],
    )
    run_id = runs[0].run_id
    details = get_run_details.sync(client=client, body=m.GetRunDetailsRequest(pod_id=run_id, task=once.id))
    record("task/get_run_details", details, run_id=str(details.run_id), status=str(details.status))
    logs = get_logs_for_run.sync(client=client, body=m.GetLogsForRunRequest(id=run_id, lines=None))
    record("task/get_logs_for_run", logs, logs=logs.logs)

    paused = pause.sync(client=client, body=m.PauseRequest(id=cron.id, pause=True))
    record("task/pause", paused, **task_dict(paused))
    killed = kill.sync(client=client, body=m.KillRequest(service.id))
    record("task/kill", killed, **task_dict(killed))
    kill.sync(client=client, body=m.KillRequest(cron.id))

    everything = orchestration_list_all.sync(
        client=client,
        body=m.ListAllOrchestrationsRequest(
            task_run_status=[], workspace_ids=[workspace_id], killed=None, time_range=None
        ),
    )
    record(
        "orchestration/list_all",
        everything,
        orchestrations=[str(e.orchestration.id) for e in everything.orchestrations],
        workspaces=[e.workspace.to_dict() for e in everything.orchestrations],
        task_counts=[len(e.tasks) for e in everything.orchestrations],
    )

    # A second, unused orchestration of the same bytes: deleting it frees nothing (the archive
    # is still used), deleting the first one then frees the archive's bytes.
    twin = orchestration_upload.sync_detailed(
        client=client,
        body=m.OrchestrationUploadBody(
            file=File(
                payload=io.BytesIO(archive), file_name="twin.zip", mime_type="application/octet-stream"
            ),
            metadata=m.UploadOrchestrationRequest(workspace_id=workspace_id, name="twin"),
        ),
    ).parsed
    kept = delete_orchestrations.sync(
        client=client, body=m.DeleteOrchestrationsBody(orchestrations=[twin.id])
    )
    record("orchestration/delete_orchestrations (shared archive)", kept, bytes=kept.bytes_)
    freed = delete_orchestrations.sync(
        client=client, body=m.DeleteOrchestrationsBody(orchestrations=[orch_id], confirm_delete=True)
    )
    record(
        "orchestration/delete_orchestrations",
        freed,
        bytes=freed.bytes_,
        archive_size=len(archive),
        deleted=freed.additional_properties.get("deleted"),
    )
    gone = orchestration_get_by_id.sync_detailed(
        client=client, body=m.GetOrchestrationByIdRequest(uuid.UUID(str(orch_id)))
    )
    REPORT["orchestration/get_by_id after delete"] = {"status_code": int(gone.status_code)}


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        REPORT["error"] = traceback.format_exc()
        raise
    finally:
        with open(sys.argv[1], "w") as out:
            json.dump(REPORT, out, indent=2, default=str)
