"""The non-public Airflow that ``airflow_compat`` stands on, pinned down.

If an Airflow upgrade moves, renames or re-signs anything the adapter uses, one of these
fails and names it, instead of a kill that silently deletes nothing or a 500 in production.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

#: (module, attribute, parameters the adapter passes by name)
CALLABLES = [
    (
        "airflow.api.common.trigger_dag",
        "trigger_dag",
        {"dag_id", "run_id", "conf", "triggered_by", "triggering_user_name", "note"},
    ),
    ("airflow.api.common.mark_tasks", "set_dag_run_state_to_failed", {"dag", "run_id", "commit", "session"}),
    ("airflow.models.dagbag.DBDagBag", "get_latest_version_of_dag", {"dag_id", "session"}),
    ("airflow.utils.log.log_reader.TaskLogReader", "read_log_chunks", {"ti", "try_number", "metadata"}),
    ("airflow.utils.session", "create_session", {"scoped"}),
    ("airflow.api_fastapi.core_api.security", "get_user", {"request"}),
    ("airflow.api_fastapi.auth.tokens.JWTGenerator", "generate", {"extras"}),
    ("airflow.api_fastapi.auth.tokens.JWTValidator", "avalidated_claims", set()),
    ("airflow.api_fastapi.app", "get_auth_manager", set()),
    ("airflow.settings", "configure_orm", set()),
]

#: (module, class, columns or attributes the adapter reads or writes)
ATTRIBUTES = [
    ("airflow.models.dag", "DagModel", {"dag_id", "is_paused"}),
    (
        "airflow.models.dagrun",
        "DagRun",
        {
            "id",
            "dag_id",
            "run_id",
            "state",
            "queued_at",
            "run_after",
            "start_date",
            "end_date",
            "updated_at",
            "note",
        },
    ),
    ("airflow.models.taskinstance", "TaskInstance", {"dag_id", "run_id", "task_id", "try_number"}),
    ("airflow.models.xcom", "XComModel", {"dag_id", "run_id", "key", "value"}),
    ("airflow.models.dagbag", "DagPriorityParsingRequest", {"id", "bundle_name", "relative_fileloc"}),
    ("airflow.models.serialized_dag", "SerializedDagModel", {"id", "dag_id"}),
]

#: Names that must simply exist where the adapter imports them from.
NAMES = [
    ("airflow.exceptions", "DagNotFound"),
    ("airflow.exceptions", "DagRunAlreadyExists"),
    ("airflow.utils.types", "DagRunTriggeredByType"),
    ("airflow.utils.sqlalchemy", "UtcDateTime"),
    ("airflow.utils.db_manager", "BaseDBManager"),
    ("airflow.utils.log.file_task_handler", "LogMetadata"),
    ("airflow.api_fastapi.common.db.common", "SessionDep"),
    ("airflow.api_fastapi.core_api.security", "bearer_scheme"),
    ("airflow.api_fastapi.core_api.security", "oauth2_scheme"),
    ("airflow.api_fastapi.auth.managers.models.base_user", "BaseUser"),
    ("airflow.api_fastapi.auth.tokens", "get_signing_args"),
    ("airflow.api_fastapi.auth.tokens", "get_sig_validation_args"),
    ("airflow.configuration", "conf"),
    ("airflow.configuration", "AIRFLOW_HOME"),
]


def resolve(dotted: str) -> Any:
    """Import ``a.b.C`` as module ``a.b`` then attribute ``C`` (or the module itself)."""
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError:
        module, _, name = dotted.rpartition(".")
        return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize(("owner", "name", "params"), CALLABLES, ids=[f"{o}.{n}" for o, n, _ in CALLABLES])
def test_callables_keep_their_parameters(owner: str, name: str, params: set[str]) -> None:
    function = getattr(resolve(owner), name)
    signature = inspect.signature(inspect.unwrap(function))
    missing = params - set(signature.parameters)
    assert not missing, f"{owner}.{name} lost parameters {missing}: {signature}"


@pytest.mark.parametrize(("module", "cls", "attrs"), ATTRIBUTES, ids=[c for _, c, _ in ATTRIBUTES])
def test_models_keep_their_columns(module: str, cls: str, attrs: set[str]) -> None:
    model = getattr(importlib.import_module(module), cls)
    missing = {a for a in attrs if not hasattr(model, a)}
    assert not missing, f"{module}.{cls} lost {missing}"


@pytest.mark.parametrize(("module", "name"), NAMES, ids=[f"{m}.{n}" for m, n in NAMES])
def test_names_still_exist(module: str, name: str) -> None:
    assert hasattr(importlib.import_module(module), name), f"{module}.{name} is gone"


def test_the_task_log_handler_can_locate_log_files() -> None:
    """Kill deletes run logs through these two; without them it must fail loudly, not skip."""
    from airflow.utils.log.log_reader import TaskLogReader

    handler = TaskLogReader().log_handler
    assert callable(getattr(handler, "_render_filename", None)), type(handler)
    assert getattr(handler, "local_base", None), type(handler)


def test_dag_run_states_are_the_strings_the_core_compares() -> None:
    from airflow.utils.state import DagRunState

    from airflow_wallaroo.core.vocabulary import ACTIVE_RUN_STATES

    assert {DagRunState.QUEUED.value, DagRunState.RUNNING.value} == ACTIVE_RUN_STATES
    assert str(DagRunState.FAILED) == "failed"


def test_a_handler_without_the_helpers_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.utils.log.log_reader import TaskLogReader

    from airflow_wallaroo.airflow_compat import logs

    monkeypatch.setattr(TaskLogReader, "log_handler", property(lambda self: object()))
    with pytest.raises(logs.LogHandlerChanged, match="cannot be located"):
        logs.delete_local_logs(session=None, dag_id="wallaroo_task_x")  # type: ignore[arg-type]
