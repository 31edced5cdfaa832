"""``WallarooClient``: one method per ``/v1/api`` endpoint, typed answers, one error type.

Only httpx and the standard library: it installs and runs anywhere, with no Airflow.
"""

from __future__ import annotations

import hashlib
import json as jsonlib
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from airflow_wallaroo.client.archives import PreparedArchive, ProgressReader
from airflow_wallaroo.client.errors import WallarooApiError, WallarooClientError, WallarooConnectionError
from airflow_wallaroo.client.models import (
    DeleteResult,
    Download,
    Orchestration,
    OrchestrationListing,
    Task,
    TaskRun,
    Workspace,
    WorkspaceUser,
)

DEFAULT_TIMEOUT = 60.0
#: Most runs a task answers in ``last_runs`` (the API's bound); used to find a run's task.
MAX_RUN_LIMIT = 100


def fetch_token(
    url: str,
    username: str,
    password: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Get a bearer token from Airflow's ``POST /auth/token`` (the one the API accepts)."""
    with httpx.Client(base_url=url.rstrip("/"), timeout=timeout, transport=transport) as http:
        answer = _send(http, "POST", "/auth/token", json={"username": username, "password": password})
    token = _json(answer).get("access_token")
    if not isinstance(token, str) or not token:
        raise WallarooApiError("the server's answer to /auth/token has no access_token", answer.status_code)
    return token


class WallarooClient:
    """A client of the ML Workload Orchestration API of one server.

    :param url: the server's base URL (the Airflow api-server), e.g. ``http://127.0.0.1:8080``.
    :param token: a bearer token from ``POST /auth/token`` (see :func:`fetch_token`).
    :param timeout: seconds to wait for each network step (connect, read, write).
    :param transport: an httpx transport, for tests.
    """

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout, transport=transport)

    @classmethod
    def from_password(cls, url: str, username: str, password: str, **kwargs: Any) -> WallarooClient:
        """Log in with a user name and password, and return a client holding the token."""
        return cls(url, fetch_token(url, username, password, transport=kwargs.get("transport")), **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WallarooClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return _json(_send(self._http, "POST", f"/v1/api/{path}", json=body if body is not None else {}))

    # -- server ---------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``GET /v1/health`` (no token needed): whether the API can take uploads."""
        return dict(_json(_send(self._http, "GET", "/v1/health")))

    def platform_config(self) -> dict[str, Any]:
        """``GET /v1/api/config``: the platform's name and version."""
        return dict(_json(_send(self._http, "GET", "/v1/api/config")))

    # -- workspaces -----------------------------------------------------------------------

    def create_workspace(self, name: str) -> int:
        return int(self._post("workspaces/create", {"workspace_name": name})["workspace_id"])

    def list_workspaces(self, user_id: str | None = None) -> list[Workspace]:
        body = {"user_id": user_id} if user_id is not None else {}
        return [Workspace.from_json(w) for w in self._post("workspaces/list", body)["workspaces"]]

    def add_user(
        self,
        workspace_id: int,
        *,
        email: str | None = None,
        user_id: str | None = None,
        user_type: str = "collaborator",
    ) -> None:
        self._post(
            "workspaces/add_user",
            {"workspace_id": workspace_id, "user_type": user_type, **_one_user(email, user_id)},
        )

    def remove_user(self, workspace_id: int, *, email: str | None = None, user_id: str | None = None) -> None:
        self._post("workspaces/remove_user", {"workspace_id": workspace_id, **_one_user(email, user_id)})

    def list_users(self, workspace_id: int) -> list[WorkspaceUser]:
        answer = self._post("workspaces/list_users", {"workspace_id": workspace_id})
        return [WorkspaceUser.from_json(u) for u in answer["users"]]

    # -- orchestrations -------------------------------------------------------------------

    def upload_orchestration(
        self,
        source: str | Path,
        workspace_id: int,
        name: str | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> str:
        """Upload a folder (zipped on the fly) or a ``.zip``; return the new orchestration's id.

        ``on_progress(sent, total)`` is called as the archive's bytes are sent.
        """
        with PreparedArchive.of(Path(source)) as archive:
            total = archive.size
            metadata = {"workspace_id": workspace_id} | ({"name": name} if name else {})
            with archive.path.open("rb") as file:
                body = ProgressReader(file, lambda done: on_progress(done, total)) if on_progress else file
                answer = _send(
                    self._http,
                    "POST",
                    "/v1/api/orchestration/upload",
                    files={"file": (archive.file_name, body, "application/octet-stream")},
                    data={"metadata": jsonlib.dumps(metadata)},
                )
        return str(_json(answer)["id"])

    def list_orchestrations(
        self, workspace_id: int, limit: int | None = None, offset: int | None = None
    ) -> list[Orchestration]:
        """One page (the server's default size unless ``limit``), newest first."""
        body = _window({"workspace_id": workspace_id}, limit, offset)
        return [Orchestration.from_json(o) for o in self._post("orchestration/list", body)]

    def get_orchestration(self, orchestration_id: str) -> Orchestration:
        return Orchestration.from_json(self._post("orchestration/get_by_id", {"id": orchestration_id}))

    def list_all_orchestrations(
        self,
        workspace_ids: Sequence[int] = (),
        task_run_status: Sequence[str] = (),
        killed: bool | None = None,
        time_range: tuple[datetime, datetime] | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[OrchestrationListing]:
        """One page of the orchestrations of several workspaces (none given: all the caller's)."""
        body: dict[str, Any] = {
            "workspace_ids": list(workspace_ids),
            "task_run_status": list(task_run_status),
        }
        if killed is not None:
            body["killed"] = killed
        if time_range is not None:
            body["time_range"] = [_aware(t).isoformat() for t in time_range]
        answer = self._post("orchestration/list_all", _window(body, limit, offset))
        return [OrchestrationListing.from_json(o) for o in answer["orchestrations"]]

    def download_orchestration(self, orchestration_id: str, destination: str | Path) -> Download:
        """Stream the original archive into ``destination``, hashing it on the way."""
        digest = hashlib.sha256()
        size = 0
        target = Path(destination)
        try:
            with self._http.stream(
                "GET", "/v1/api/orchestration/download", params={"id": orchestration_id}
            ) as answer:
                if not answer.is_success:
                    answer.read()
                    raise WallarooApiError.from_response(answer)
                with target.open("wb") as out:
                    for chunk in answer.iter_bytes(1024 * 1024):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                announced = answer.headers.get("X-Orchestration-Sha")
        except httpx.TransportError as exc:
            raise _no_answer(self.url, exc) from None
        return Download(path=str(target), size=size, sha=digest.hexdigest(), announced_sha=announced)

    def delete_orchestrations(
        self, orchestration_ids: Sequence[str], confirm_delete: bool = False
    ) -> DeleteResult:
        """Delete orchestrations; with live tasks the server refuses (409) unless ``confirm_delete``."""
        return DeleteResult.from_json(
            self._post(
                "orchestration/delete_orchestrations",
                {"orchestrations": list(orchestration_ids), "confirm_delete": confirm_delete},
            )
        )

    def wait_for_orchestration(
        self,
        orchestration_id: str,
        timeout: float = 900.0,
        interval: float = 1.0,
        on_status: Callable[[Orchestration], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Orchestration:
        """Poll until packaging is ``ready`` or ``error``; a TimeoutError names the last status seen."""
        deadline = time.monotonic() + timeout
        while True:
            orchestration = self.get_orchestration(orchestration_id)
            if on_status is not None:
                on_status(orchestration)
            if orchestration.finished:
                return orchestration
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"orchestration {orchestration_id} still {orchestration.status} after {timeout:g} s"
                )
            sleep(interval)

    # -- tasks ----------------------------------------------------------------------------

    def run_once(
        self,
        workspace_id: int,
        orch_id: str,
        json: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        timeout: int | None = None,
        debug: bool = False,
    ) -> str:
        """Run an orchestration once; return the task id."""
        return self._create("run_once", workspace_id, orch_id, json, name=name, timeout=timeout, debug=debug)

    def run_scheduled(
        self,
        workspace_id: int,
        orch_id: str,
        schedule: str,
        json: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        timeout: int | None = None,
        debug: bool = False,
        timezone: str | None = None,
    ) -> str:
        """Run an orchestration each time the cron ``schedule`` fires (in ``timezone``, else UTC);
        return the task id."""
        return self._create(
            "run_scheduled",
            workspace_id,
            orch_id,
            json,
            name=name,
            timeout=timeout,
            debug=debug,
            schedule=schedule,
            timezone=timezone,
        )

    def run_continuously(
        self,
        workspace_id: int,
        orch_id: str,
        json: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        timeout: int | None = None,
        debug: bool = False,
    ) -> str:
        """Run an orchestration again each time its run ends, until killed; return the task id."""
        return self._create(
            "run_continuously", workspace_id, orch_id, json, name=name, timeout=timeout, debug=debug
        )

    def _create(
        self, kind: str, workspace_id: int, orch_id: str, arguments: dict[str, Any] | None, **options: Any
    ) -> str:
        body = {"workspace_id": workspace_id, "orch_id": orch_id, "json": arguments or {}}
        body |= {k: v for k, v in options.items() if v is not None and v is not False}
        return str(self._post(f"task/{kind}", body)["id"])

    def get_task(self, task_id: str) -> Task:
        return Task.from_json(self._post("task/get_by_id", {"id": task_id}))

    def list_tasks(
        self,
        workspace_id: int | None = None,
        killed: bool | None = None,
        orch_id: str | None = None,
        orch_sha: str | None = None,
        run_limit: int | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Task]:
        """One page of the caller's tasks, newest first."""
        body = {
            "workspace_id": workspace_id,
            "killed": killed,
            "orch_id": orch_id,
            "orch_sha": orch_sha,
            "run_limit": run_limit,
            "limit": limit,
            "offset": offset,
        }
        return [
            Task.from_json(t)
            for t in self._post("task/list", {k: v for k, v in body.items() if v is not None})
        ]

    def get_tasks_by_orch_sha(self, sha: str) -> list[str]:
        return [str(i) for i in self._post("task/get_tasks_by_orch_sha", {"sha": sha})["ids"]]

    def kill_task(self, task_id: str) -> Task:
        """Ask the task to stop for good; the answer says ``pending_kill``, then it becomes ``killed``."""
        return Task.from_json(self._post("task/kill", {"id": task_id}))

    def pause_task(self, task_id: str) -> Task:
        return Task.from_json(self._post("task/pause", {"id": task_id, "pause": True}))

    def resume_task(self, task_id: str) -> Task:
        return Task.from_json(self._post("task/pause", {"id": task_id, "pause": False}))

    def run_now(self, task_id: str) -> str:
        """Start a run of a scheduled or continuous task now; return the run id."""
        return str(self._post("task/run_now", {"id": task_id})["run_id"])

    # -- task runs ------------------------------------------------------------------------

    def list_task_runs(
        self,
        task_id: str,
        status: str | None = None,
        limit: int | None = None,
        time_range: tuple[datetime, datetime] | None = None,
        offset: int | None = None,
    ) -> list[TaskRun]:
        """The task's runs, newest first; ``status`` one of running, success, failure, timed_out, killed."""
        body: dict[str, Any] = {"task_id": task_id}
        if status is not None:
            body["status"] = status
        if limit is not None:
            body["limit"] = limit
        if time_range is not None:
            body["time_range"] = [_aware(t).isoformat() for t in time_range]
        return [TaskRun.from_json(r) for r in self._post("task/list_task_runs", _window(body, None, offset))]

    def get_run_details(self, task_id: str, run_id: str) -> TaskRun:
        return TaskRun.from_json(self._post("task/get_run_details", {"task": task_id, "pod_id": run_id}))

    def get_logs(self, run_id: str, lines: int | None = None) -> list[str]:
        """The run's output in container-runtime form (``<time> <stream> F <text>``), oldest first."""
        body: dict[str, Any] = {"id": run_id} | ({"lines": lines} if lines else {})
        return [str(line) for line in self._post("task/get_logs_for_run", body)["logs"]]

    def find_task_of_run(self, run_id: str) -> str:
        """The id of the task a run belongs to, searched among the recent runs of the caller's tasks.

        The API finds runs by id alone only for their logs; this is the one lookup that
        lists tasks. Pass the task id where you have it.
        """
        for task in self.list_tasks(run_limit=MAX_RUN_LIMIT):
            if any(run.run_id == run_id for run in task.last_runs):
                return task.id
        raise WallarooClientError(
            f"run {run_id} is not among the last {MAX_RUN_LIMIT} runs of your tasks; give its task id"
        )

    def follow_logs(
        self,
        run_id: str,
        task_id: str | None = None,
        interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Iterator[str]:
        """Yield the run's log lines, then each new one as it comes, until the run has ended.

        The run's status is read before each fetch of the log, so the fetch after the run
        was seen ended is the complete log: nothing printed at the end is lost.
        """
        task_id = task_id or self.find_task_of_run(run_id)
        printed = 0
        while True:
            ended = self.get_run_details(task_id, run_id).finished
            lines = self.get_logs(run_id)
            if len(lines) < printed:  # a new try started its log afresh
                printed = 0
            yield from lines[printed:]
            printed = len(lines)
            if ended:
                return
            sleep(interval)


def _one_user(email: str | None, user_id: str | None) -> dict[str, str]:
    if (email is None) == (user_id is None):
        raise ValueError("give exactly one of email or user_id")
    return {"email": email} if email is not None else {"user_id": str(user_id)}


def _send(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Send one request; a transport failure or an error status becomes the client's error."""
    try:
        answer = http.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        raise _no_answer(str(http.base_url), exc) from None
    if not answer.is_success:
        raise WallarooApiError.from_response(answer)
    return answer


def _json(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        raise WallarooApiError(
            f"the server's answer is not JSON: {answer.text[:200]!r}", answer.status_code
        ) from None


def _no_answer(url: str, exc: httpx.TransportError) -> WallarooConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return WallarooConnectionError(f"{url} did not answer in time ({type(exc).__name__})")
    return WallarooConnectionError(f"could not reach {url}: {exc or type(exc).__name__}")


def _aware(moment: datetime) -> datetime:
    """The server needs a zone on every time; a naive one is taken as UTC, as the server shows them."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _window(body: dict[str, Any], limit: int | None, offset: int | None) -> dict[str, Any]:
    """Add the page window the server takes on every list endpoint (absent: its defaults)."""
    return body | ({"limit": limit} if limit is not None else {}) | ({"offset": offset} if offset else {})
