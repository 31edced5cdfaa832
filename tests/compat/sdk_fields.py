"""Run with the SDK's python: print, as JSON, the fields each request body of the SDK can send.

The generated models' attrs fields are the JSON keys (``additional_properties`` aside); the
one REST body the SDK writes by hand (``Workspace._add_user``) is read from its source.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import sys
import textwrap

import attrs

MODELS = [
    "workspaces_create_body",
    "workspaces_list_body",
    "workspaces_add_user_body",
    "workspaces_remove_user_body",
    "workspaces_list_users_body",
    "upload_orchestration_request",
    "list_orchestrations_request",
    "get_orchestration_by_id_request",
    "list_all_orchestrations_request",
    "delete_orchestrations_body",
    "oneshot_request",
    "cron_job_body",
    "network_service_request",
    "get_task_by_id_request",
    "list_tasks_request",
    "get_tasks_by_orch_sha_request",
    "list_task_runs_request",
    "get_run_details_request",
    "get_logs_for_run_request",
    "kill_request",
    "pause_request",
]


def model_fields(module: str) -> list[str]:
    loaded = importlib.import_module(f"wallaroo.wallaroo_ml_ops_api_client.models.{module}")
    classes = [c for _, c in inspect.getmembers(loaded, inspect.isclass) if c.__module__ == loaded.__name__]
    (cls,) = [c for c in classes if attrs.has(c)]
    return sorted(f.name for f in attrs.fields(cls) if f.name != "additional_properties")


def add_user_keys() -> list[str]:
    from wallaroo.workspace import Workspace

    tree = ast.parse(textwrap.dedent(inspect.getsource(Workspace._add_user)))
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "json" and isinstance(node.value, ast.Dict):
            return sorted(k.value for k in node.value.keys if isinstance(k, ast.Constant))
    raise SystemExit("Workspace._add_user sends no json dict any more")


found = {module: model_fields(module) for module in MODELS}
found["Workspace._add_user"] = add_user_keys()
print(json.dumps(found))
sys.exit(0)
