"""Run notifications: a signed JSON POST to the webhook a task asked for, through Airflow's notifier.

``notify`` at task creation names a URL, the events wanted (``failure``, ``timed_out``,
``crash_loop``, ``success``) and a secret. The task's operator gets a ``WebhookNotifier``
as its ``on_failure_callback`` and ``on_success_callback``: Airflow calls it in the task
process once the try's final state is reported, so delivery can neither change nor delay
the run's outcome. A retry is not a failure: ``on_failure_callback`` fires only once no try
is left. Delivery is tried a few times with exponential backoff; every failure is logged
in the task log and none is raised.

The body is JSON; ``X-Wallaroo-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact
body bytes with the secret, as GitHub signs its webhooks. The receiver recomputes it (with
``hmac.compare_digest``) before trusting the body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from airflow.sdk import BaseNotifier
from airflow.sdk.exceptions import AirflowTaskTimeout

from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.core.vocabulary import CRASH_LOOP_RUNS, TaskKind
from airflow_wallaroo.settings import load_settings

log = logging.getLogger(__name__)

EVENTS = ("failure", "timed_out", "crash_loop", "success")
SIGNATURE_HEADER = "X-Wallaroo-Signature"
EVENT_HEADER = "X-Wallaroo-Event"
#: Delivery: this many tries, waiting 1 s, then 2 s... between them; each at most this long.
DELIVERY_TRIES = 3
FIRST_WAIT_SECONDS = 1.0
TIMEOUT_SECONDS = 5.0


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``body`` keyed with ``secret``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(
    url: str,
    secret: str,
    payload: dict[str, Any],
    *,
    tries: int = DELIVERY_TRIES,
    first_wait: float = FIRST_WAIT_SECONDS,
    timeout: float = TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """POST the signed payload; True once a 2xx answers. Never raises: failures are logged."""
    body = json.dumps(payload, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body),
        EVENT_HEADER: str(payload.get("event", "")),
        "User-Agent": "airflow-wallaroo-webhook",
    }
    wait = first_wait
    for attempt in range(1, tries + 1):
        try:
            answer = httpx.post(url, content=body, headers=headers, timeout=timeout)
            if answer.is_success:
                return True
            problem = f"HTTP {answer.status_code}"
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        log.warning("Webhook %s, try %d of %d: %s", payload.get("event"), attempt, tries, problem)
        if attempt < tries:
            sleep(wait)
            wait *= 2
    log.error("Webhook %s to %s not delivered after %d tries", payload.get("event"), url, tries)
    return False


def failure_events(spec: TaskSpec, exception: BaseException | None, consecutive_failures: int) -> list[str]:
    """The events a run's final failure raises: ``timed_out`` or ``failure``, and ``crash_loop``
    when a continuous task's failures just reached the crash-loop count."""
    events = ["timed_out" if isinstance(exception, AirflowTaskTimeout) else "failure"]
    if spec.kind == TaskKind.RUN_CONTINUOUSLY and consecutive_failures == CRASH_LOOP_RUNS:
        events.append("crash_loop")
    return events


def payload(spec: TaskSpec, event: str, context: Any) -> dict[str, Any]:
    """What a notification says: the event, the task, the run and its try."""
    ti = context.get("ti")
    exception = context.get("exception")
    return {
        "event": event,
        "task_id": spec.task_id,
        "task_name": spec.name,
        "kind": spec.kind,
        "workspace_id": spec.workspace_id,
        "orch_id": spec.orch_id,
        "orch_name": spec.orch_name,
        "run_id": context["dag_run"].run_id if context.get("dag_run") is not None else None,
        "try_number": getattr(ti, "try_number", None),
        "message": str(exception)[:1000] if exception is not None else None,
        "sent_at": datetime.now(UTC).isoformat(),
    }


class WebhookNotifier(BaseNotifier):
    """Airflow notifier of a task's final success or failure, as the task's ``notify`` asks."""

    def __init__(self, *, spec: str, succeeded: bool) -> None:
        super().__init__()
        self.spec = spec
        self.succeeded = succeeded

    def notify(self, context: Any) -> None:
        spec = TaskSpec.from_json(self.spec)
        if not spec.notify:
            return
        if self.succeeded:
            events = ["success"]
        else:
            events = failure_events(spec, context.get("exception"), _consecutive_failures(spec))
        for event in events:
            if event in spec.notify.get("events", ()):
                deliver(spec.notify["url"], spec.notify["secret"], payload(spec, event, context))


def notifier_callbacks(spec: TaskSpec) -> dict[str, Any]:
    """Operator arguments that notify the task's webhook, if it has one."""
    if not spec.notify:
        return {}
    return {
        "on_failure_callback": [WebhookNotifier(spec=spec.to_json(), succeeded=False)],
        "on_success_callback": [WebhookNotifier(spec=spec.to_json(), succeeded=True)],
    }


def _consecutive_failures(spec: TaskSpec) -> int:
    try:
        return int(load_settings().layout.failures_file(spec.task_id).read_text())
    except (OSError, ValueError):
        return 0
