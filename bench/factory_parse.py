"""P3: DAG-factory parse time, and time-to-live of a new task, at 1k and 10k task specs.

Two parts, each beside a baseline measured in the same run:

* **Parse** (no stack): N realistic specs (a mix of run_once, run_scheduled and
  run_continuously) are written with the product's own ``write_spec`` into 64 shards (``--shards``) and
  parsed with Airflow's ``BundleDagBag``, one loader file per forked process as the
  dag-processor does (it forks a warm process per file). Baseline: the same N specs behind
  ONE unsharded loader file. The worst file is compared with ``[core] dagbag_import_timeout``
  (the import alone) and ``[dag_processor] dag_file_processor_timeout`` (import + serialize).
* **Time-to-live** (a real SQLite stack): a new ``task/run_once`` call until (a) its DAG
  answers on ``/api/v2/dags/{id}`` and (b) the first line of user code, with N existing
  tasks. The existing tasks are task rows inserted in bulk into the product's own table,
  their specs written by the product's own reconcile (what ``airflow-wallaroo reconcile``
  and the api-server's start run) and parsed by the dag-processor; they are
  ``run_scheduled`` on a cron that does not fire during the bench. Baseline: the same
  measurement on the same stack before any task exists.

Targets (issue 4): new DAG live <= 5 s at 10k tasks, and no import timeouts.

    .venv/bin/python -m bench.factory_parse [--sizes 1000,10000] [--rounds 3] [--skip-stack] [--skip-parse]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import httpx

from airflow_wallaroo.core.naming import shard_of
from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.get_provider_info import WALLAROO_OPTIONS
from tests.support.stack import AirflowStack

KINDS = ("run_once", "run_scheduled", "run_continuously")
#: spec_shards of the stack: the product default, unless --airflow-config sets it.
STACK_SHARDS = int(WALLAROO_OPTIONS["spec_shards"][0])
#: A cron that does not fire during the bench: existing tasks must not start 10k runs.
QUIET_CRON = "0 3 1 1 *"
BUNDLE_NAME = "dags-folder"
TTL_TARGET_SECONDS = 5.0
TASK_DAG_PREFIX = "wallaroo_task_"


# --------------------------------------------------------------------------- part 1: parse


@dataclass(frozen=True)
class FileParse:
    """What parsing one loader file cost, measured inside its own forked process."""

    file: str
    import_s: float  # BundleDagBag: the module import, which dagbag_import_timeout bounds
    serialize_s: float  # DagSerialization.to_dict of every DAG, also inside the processor's timeout
    dags: int
    import_errors: dict[str, str]

    @property
    def total_s(self) -> float:
        return self.import_s + self.serialize_s


@dataclass(frozen=True)
class ParseResult:
    """One size: the sharded files and the single unsharded file, same specs."""

    size: int
    shards: list[FileParse]
    unsharded: FileParse


def isolate_airflow(scratch: Path) -> None:
    """Point this process's Airflow at a scratch home before anything imports airflow.

    The parse part never touches a metadata DB; the stack part's processes strip every
    AIRFLOW* variable and get their own, so nothing set here leaks into them.
    """
    home = scratch / "airflow-home"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{home / 'unused.db'}"
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(home / "dags")


def realistic_specs(count: int) -> list[TaskSpec]:
    """``count`` TaskSpecs as the API would render them: the three kinds in turn, UUIDs,
    a real-looking sha and arguments, so a DAG costs what a real one costs."""
    created = datetime.now(UTC).replace(microsecond=0)
    orchestrations = [(str(uuid.uuid4()), uuid.uuid4().hex * 2, f"orch-{n}") for n in range(20)]
    specs = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        orch_id, sha, orch_name = orchestrations[i % len(orchestrations)]
        specs.append(
            TaskSpec(
                task_id=str(uuid.uuid4()),
                kind=kind,
                name=f"p3-{kind}-{i}",
                workspace_id=1 + i % 7,
                owner_id="admin",
                orch_id=orch_id,
                orch_sha=sha,
                orch_name=orch_name,
                entrypoint="main.py",
                arguments={"index": i, "model": "resnet50", "batch": 64},
                first_run_id=str(uuid.uuid4()),
                created_at=created.isoformat(),
                schedule="0 3 * * *" if kind == "run_scheduled" else None,
                timeout=600 if i % 2 else None,
            )
        )
    return specs


def write_layout(root: Path, specs: list[TaskSpec], shards: int) -> tuple[Path, Path]:
    """Write specs and loader files exactly as the product does; return (dags, spec folder)."""
    from dataclasses import replace

    from airflow_wallaroo.core.dag_files import install_dag_files
    from airflow_wallaroo.services.specs import write_spec
    from airflow_wallaroo.settings import load_settings

    dags, spec_folder = root / "dags", root / "specs"
    settings = replace(load_settings(), spec_folder=spec_folder, spec_shards=shards)
    for spec in specs:
        write_spec(spec, settings)
    install_dag_files(dags, shards)
    return dags, spec_folder


def _parse_in_child(loader: Path, dags: Path, spec_folder: Path, conn: Connection) -> None:
    """Body of the forked parse process: import the loader file, then serialize its DAGs.

    The import timeout is switched off here so a slow file gives its real time instead
    of an exception; the caller compares that time with the configured limits.
    """
    try:
        quiet_child(dags.parent / "parse.log")
        os.environ["AIRFLOW__WALLAROO__SPEC_FOLDER"] = str(spec_folder)
        os.environ["AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT"] = "0"
        from airflow.dag_processing.dagbag import BundleDagBag
        from airflow.serialization.serialized_objects import DagSerialization

        started = time.perf_counter()
        bag = BundleDagBag(
            dag_folder=str(loader), bundle_path=dags, bundle_name=BUNDLE_NAME, load_op_links=False
        )
        imported = time.perf_counter()
        for dag in bag.dags.values():
            DagSerialization.to_dict(dag)
        serialized = time.perf_counter()
        conn.send(
            FileParse(
                loader.name, imported - started, serialized - imported, bag.size(), dict(bag.import_errors)
            )
        )
    except BaseException:  # noqa: BLE001 - report, never hang the parent
        conn.send(traceback.format_exc())
    finally:
        conn.close()


def quiet_child(log_path: Path) -> None:
    """Send a parse process's own output (Airflow's per-file log lines) to a file, not the report."""
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)


def parse_file(loader: Path, dags: Path, spec_folder: Path) -> FileParse:
    """Parse one loader file in a fresh fork of this (airflow-warm) process, as the dag-processor does."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_parse_in_child, args=(loader, dags, spec_folder, sender))
    process.start()
    sender.close()
    answer = receiver.recv()
    process.join()
    if not isinstance(answer, FileParse):
        raise RuntimeError(f"parsing {loader} failed:\n{answer}")
    return answer


def warm_like_the_dag_processor() -> None:
    """Import what the dag-processor manager has imported before it forks a parser."""
    import airflow.dag_processing.dagbag
    import airflow.dag_processing.processor
    import airflow.serialization.serialized_objects  # noqa: F401


def measure_parse(scratch: Path, size: int, shards: int) -> ParseResult:
    """Write ``size`` specs twice (sharded, and all in one shard) and parse every loader file."""
    specs = realistic_specs(size)
    sharded_dags, sharded_specs = write_layout(scratch / f"sharded-{size}", specs, shards)
    single_dags, single_specs = write_layout(scratch / f"unsharded-{size}", specs, 1)
    from airflow_wallaroo.core.naming import shard_loader_name

    per_file = [
        parse_file(sharded_dags / shard_loader_name(n), sharded_dags, sharded_specs) for n in range(shards)
    ]
    unsharded = parse_file(single_dags / shard_loader_name(0), single_dags, single_specs)
    result = ParseResult(size, per_file, unsharded)
    check_parse(result)
    return result


def check_parse(result: ParseResult) -> None:
    """Fail loudly if a DAG is missing or any file had an import error: the timings would lie."""
    found = sum(f.dags for f in result.shards)
    errors = {k: v for f in [*result.shards, result.unsharded] for k, v in f.import_errors.items()}
    if found != result.size or result.unsharded.dags != result.size or errors:
        raise SystemExit(
            f"P3 parse check FAILED at N={result.size}: sharded found {found}, unsharded found "
            f"{result.unsharded.dags}, import errors: {errors}"
        )


def airflow_timeouts() -> tuple[float, float]:
    """The configured ``dagbag_import_timeout`` and ``dag_file_processor_timeout``, in seconds."""
    from airflow.configuration import conf

    return (
        conf.getfloat("core", "dagbag_import_timeout"),
        conf.getfloat("dag_processor", "dag_file_processor_timeout"),
    )


def report_parse(result: ParseResult, import_timeout: float, processor_timeout: float) -> None:
    """Print one size: the worst and mean shard beside the unsharded file, and against the timeouts."""
    shards, single = result.shards, result.unsharded
    worst = max(shards, key=lambda f: f.total_s)
    worst_import = max(f.import_s for f in shards)
    mean_import = statistics.mean(f.import_s for f in shards)
    mean_total = statistics.mean(f.total_s for f in shards)
    sum_total = sum(f.total_s for f in shards)
    sizes = sorted(f.dags for f in shards)

    def verdict(seconds: float, limit: float) -> str:
        return f"{seconds / limit:5.1%} of {limit:.0f} s -> {'TIMES OUT' if seconds >= limit else 'ok'}"

    print(
        f"  N = {result.size}: {len(shards)} shards of {sizes[0]}..{sizes[-1]} DAGs; found "
        f"{sum(sizes)}/{result.size} DAGs sharded, {single.dags}/{result.size} unsharded, 0 import errors"
    )
    print(f"    per shard file, import      : max {worst_import:6.2f} s  mean {mean_import:6.2f} s")
    print(
        f"    per shard file, +serialize  : max {worst.total_s:6.2f} s  mean {mean_total:6.2f} s  "
        f"(all {len(shards)} files: {sum_total:.2f} s)"
    )
    print(
        f"    unsharded (1 file) baseline : import {single.import_s:6.2f} s, "
        f"+serialize {single.total_s:6.2f} s"
    )
    print(
        f"    ratio sharded max / unsharded: import {worst_import / single.import_s:.3f}x, "
        f"+serialize {worst.total_s / single.total_s:.3f}x;  sum of shards / unsharded: "
        f"{sum_total / single.total_s:.2f}x"
    )
    print(f"    worst shard vs dagbag_import_timeout      : {verdict(worst_import, import_timeout)}")
    print(f"    worst shard vs dag_file_processor_timeout : {verdict(worst.total_s, processor_timeout)}")
    print(f"    unsharded   vs dagbag_import_timeout      : {verdict(single.import_s, import_timeout)}")


def run_parse_part(sizes: list[int], shards: int) -> None:
    """Part 1, in a scratch folder: no metadata DB and no stack needed."""
    with tempfile.TemporaryDirectory(prefix="wallaroo-bench-p3-parse-") as raw:
        scratch = Path(raw)
        isolate_airflow(scratch)
        warm_like_the_dag_processor()
        import_timeout, processor_timeout = airflow_timeouts()
        print(
            f"P3a factory parse: one forked BundleDagBag per loader file, as the dag-processor parses "
            f"(dagbag_import_timeout {import_timeout:.0f} s, "
            f"dag_file_processor_timeout {processor_timeout:.0f} s)",
            flush=True,
        )
        for size in sizes:
            report_parse(measure_parse(scratch, size, shards), import_timeout, processor_timeout)
            sys.stdout.flush()


# --------------------------------------------------------------------- part 2: time-to-live


@dataclass(frozen=True)
class Liveness:
    """One new task: seconds from the API call to its DAG on /api/v2, and to its first user line."""

    dag_visible_s: float
    first_line_s: float
    shard: int  # which loader file had to be re-parsed for it


@dataclass(frozen=True)
class Level:
    """Measurements taken with ``existing`` task DAGs already serialized."""

    existing: int
    rounds: list[Liveness]
    import_errors: int
    reconcile_noop_s: float  # what the api-server's first request pays after a restart
    load_note: str = ""

    @property
    def visible(self) -> float:
        return statistics.median(r.dag_visible_s for r in self.rounds)

    @property
    def first_line(self) -> float:
        return statistics.median(r.first_line_s for r in self.rounds)


def stack_env(stack: AirflowStack) -> dict[str, str]:
    """The environment the stack's own components run with, for product CLIs run beside it."""
    from airflow_wallaroo.standalone.environment import StandaloneLayout, build_environment

    layout = StandaloneLayout(home=stack.home.resolve(), port=stack.port)
    return build_environment(layout, base=stack.environment())


def insert_tasks(count: int, orch_id: str) -> None:
    """(Runs inside the stack's environment.) Insert ``count`` run_scheduled task rows in one
    transaction: what ``create_task`` commits, minus the spec, which reconcile renders."""
    from airflow.utils.session import create_session
    from sqlalchemy import insert

    from airflow_wallaroo.core.timeutil import utcnow
    from airflow_wallaroo.store.tables import OrchestrationRow, TaskRow

    with create_session(scoped=False) as session:
        orchestration = session.get(OrchestrationRow, orch_id)
        if orchestration is None:
            raise SystemExit(f"no orchestration {orch_id}")
        now = utcnow()
        rows = [
            {
                "id": str(uuid.uuid4()),
                "name": f"p3-existing-{n}",
                "kind": "run_scheduled",
                "workspace_id": orchestration.workspace_id,
                "orch_id": orchestration.id,
                "orch_sha": orchestration.sha,
                "owner_id": orchestration.owner_id,
                "schedule": QUIET_CRON,
                "timeout": None,
                "arguments": f'{{"index": {n}}}',
                "debug": False,
                "first_run_id": str(uuid.uuid4()),
                "killed": False,
                "paused": False,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        session.execute(insert(TaskRow), rows)
    print(f"inserted {count} task rows")


def time_reconcile() -> None:
    """(Runs inside the stack's environment.) Time the product's reconcile, the function behind
    ``airflow-wallaroo reconcile`` and the api-server's start-up step, without interpreter start."""
    from airflow_wallaroo.settings import load_settings
    from airflow_wallaroo.usecases.heal import reconcile

    settings = load_settings()
    started = time.perf_counter()
    written = reconcile(settings)
    print(f"reconciled {written} {time.perf_counter() - started:.3f}")


def helper(stack: AirflowStack, *args: str) -> str:
    """Run this module's hidden helper mode with the stack's own environment; return its stdout."""
    env = stack_env(stack)
    repo = str(Path(__file__).resolve().parents[1])  # appended: whatever PYTHONPATH already says wins
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH", ""), repo) if p)
    done = subprocess.run(
        [sys.executable, "-m", "bench.factory_parse", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=stack.home,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"helper {args} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def timed_reconcile(stack: AirflowStack, expected: int) -> float:
    """Reconcile beside the running stack; check it wrote ``expected`` specs; return its seconds."""
    last = helper(stack, "--time-reconcile").strip().splitlines()[-1].split()
    written, seconds = int(last[1]), float(last[2])
    if written != expected:
        raise RuntimeError(f"reconcile wrote {written} specs, expected {expected}")
    return seconds


def add_existing_tasks(stack: AirflowStack, count: int, orch_id: str) -> float:
    """Insert rows in bulk, then let the product's reconcile render their specs; return its seconds."""
    helper(stack, "--insert-tasks", str(count), "--orch-id", orch_id)
    return timed_reconcile(stack, count)


def task_dag_count(airflow: httpx.Client) -> int:
    """How many task DAGs Airflow has serialized (a DagModel row comes with the serialized DAG)."""
    answer = airflow.get("/dags", params={"limit": 1, "dag_id_prefix_pattern": TASK_DAG_PREFIX})
    answer.raise_for_status()
    return int(answer.json()["total_entries"])


def import_error_count(airflow: httpx.Client) -> int:
    """Import errors Airflow recorded for any DAG file: a loader file that fails or times out shows here."""
    answer = airflow.get("/importErrors", params={"limit": 1})
    answer.raise_for_status()
    return int(answer.json()["total_entries"])


def wait_serialized(stack: AirflowStack, expected: int, timeout: float) -> float:
    """Poll Airflow's REST API until ``expected`` task DAGs are serialized; return the seconds."""
    from bench._common import wait

    started = time.monotonic()
    with stack.airflow_api() as airflow:
        wait(lambda: task_dag_count(airflow) >= expected, f"{expected} serialized task DAGs", timeout, 1.0)
    return time.monotonic() - started


def new_task_liveness(stack: AirflowStack, workspace: int, orchestration: str) -> Liveness:
    """Create one run_once task; time its DAG's appearance on /api/v2 and its first user line."""
    from bench._common import parse_time, wait

    with stack.client("admin") as client, stack.airflow_api() as airflow:
        started_wall, started = datetime.now(UTC), time.monotonic()
        body = {"workspace_id": workspace, "orch_id": orchestration, "json": {}}
        answer = client.post("/task/run_once", json=body)
        answer.raise_for_status()
        task_id = answer.json()["id"]
        visible_after: list[float] = []

        def first_line() -> str | None:
            if not visible_after:
                if airflow.get(f"/dags/{TASK_DAG_PREFIX}{task_id}").status_code == 200:
                    visible_after.append(time.monotonic() - started)
                return None
            runs = client.post("/task/list_task_runs", json={"task_id": task_id}).json()
            if not runs:
                return None
            lines = client.post("/task/get_logs_for_run", json={"id": runs[0]["run_id"]}).json()["logs"]
            return lines[0] if lines else None

        line = wait(first_line, f"the first user line of task {task_id}", 300, 0.2)
    return Liveness(
        visible_after[0],
        (parse_time(line.split(" ", 1)[0]) - started_wall).total_seconds(),
        shard_of(task_id, STACK_SHARDS),
    )


def measure_level(
    stack: AirflowStack, existing: int, workspace: int, orchestration: str, rounds: int, note: str = ""
) -> Level:
    """Time ``rounds`` new tasks one after another, then check import errors and a no-op reconcile."""
    results = [new_task_liveness(stack, workspace, orchestration) for _ in range(rounds)]
    with stack.airflow_api() as airflow:
        errors = import_error_count(airflow)
    return Level(existing, results, errors, timed_reconcile(stack, 0), note)


def report_levels(levels: list[Level]) -> None:
    """Print each level beside the 0-task baseline, and whether the 5 s target holds at the largest."""
    base = levels[0]
    print(
        "  existing | new DAG on /api/v2: median, ratio | first user line: median, ratio | "
        "each round: visible/first line s [shard] | no-op reconcile, ratio | import errors"
    )
    for level in levels:
        label = f"{level.existing}" + (" (base)" if level is base else "")
        each = ", ".join(f"{r.dag_visible_s:.1f}/{r.first_line_s:.1f} [{r.shard:02d}]" for r in level.rounds)
        print(
            f"  {label:>8} | {level.visible:6.2f} s {level.visible / base.visible:6.2f}x | "
            f"{level.first_line:6.2f} s {level.first_line / base.first_line:6.2f}x | {each} | "
            f"{level.reconcile_noop_s:5.2f} s {level.reconcile_noop_s / base.reconcile_noop_s:5.2f}x | "
            f"{level.import_errors}"
        )
    for level in levels[1:]:
        if level.load_note:
            print(f"  {level.existing} existing: {level.load_note}")
    top = levels[-1]
    met = "MET" if top.visible <= TTL_TARGET_SECONDS else "NOT MET"
    print(
        f"  target new DAG live <= {TTL_TARGET_SECONDS:.0f} s at {top.existing} existing tasks: {met} "
        f"(median {top.visible:.2f} s, worst {max(r.dag_visible_s for r in top.rounds):.2f} s)"
    )
    clean = all(level.import_errors == 0 for level in levels)
    print(f"  import errors on the stack: {'none' if clean else 'SOME'}")


def keep_logs(stack: AirflowStack, target: Path | None) -> None:
    """Copy the stack's logs (component logs, dag-processor per-file logs) out of the temp home."""
    if target is not None:
        import shutil

        shutil.copytree(stack.home / "logs", target, dirs_exist_ok=True)
        print(f"  (stack logs copied to {target})")


def run_stack_part(
    sizes: list[int], rounds: int, logs_to: Path | None, airflow_config: dict[str, str] | None = None
) -> None:
    """Baseline with 0 tasks, then grow to each size and time new tasks again, on one stack."""
    from tests.support.tasks import ready_example

    print(
        f"P3b time-to-live of a new run_once task on a SQLite stack (median of {rounds}; "
        f"baseline: same stack, 0 tasks)",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="wallaroo-bench-p3-stack-") as scratch:
        stack = AirflowStack(
            home=Path(scratch) / "home", backend="sqlite", extra_env=dict(airflow_config or {})
        )
        if airflow_config:
            print(f"  with {' '.join(f'{k}={v}' for k, v in airflow_config.items())}", flush=True)
        stack.start()
        try:
            with stack.client("admin") as client:
                workspace = client.post("/workspaces/list", json={}).json()["workspaces"][0]["id"]
                orchestration = ready_example(client, workspace)
            new_task_liveness(stack, workspace, orchestration)  # warm-up: first task DAG, first fork
            levels = [measure_level(stack, 0, workspace, orchestration, rounds)]
            created = 1 + rounds  # the run_once tasks measured so far are task DAGs too
            existing = 0
            for size in sizes:
                reconcile_s = add_existing_tasks(stack, size - existing, orchestration)
                parsed_s = wait_serialized(stack, size + created, timeout=1800)
                note = (
                    f"{size - existing} rows inserted; reconcile wrote their specs in "
                    f"{reconcile_s:.1f} s, the dag-processor serialized them {parsed_s:.1f} s later "
                    "(context, no baseline)"
                )
                print(f"  ... {size} existing task DAGs serialized", flush=True)
                existing = size
                levels.append(measure_level(stack, size, workspace, orchestration, rounds, note))
                created += rounds
        finally:
            stack.stop()
            keep_logs(stack, logs_to)
    report_levels(levels)


def main() -> None:
    """Stack part first: the parse part imports airflow into this process with a scratch home."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000", help="task counts, comma-separated, ascending")
    parser.add_argument(
        "--shards",
        type=int,
        default=STACK_SHARDS,
        help=f"spec_shards of the parse part (product default {STACK_SHARDS})",
    )
    parser.add_argument("--rounds", type=int, default=3, help="new tasks timed per level")
    parser.add_argument("--skip-parse", action="store_true")
    parser.add_argument("--skip-stack", action="store_true")
    parser.add_argument(
        "--airflow-config",
        action="append",
        default=[],
        metavar="SECTION__KEY=VALUE",
        help="extra Airflow config for the stack, e.g. DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL=600",
    )
    parser.add_argument(
        "--logs-to", type=Path, help="copy the stack's logs here before its temp home is removed"
    )
    # Internal helper modes, run by the bench itself in the stack's environment:
    parser.add_argument("--insert-tasks", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--orch-id", help=argparse.SUPPRESS)
    parser.add_argument("--time-reconcile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.insert_tasks is not None:
        insert_tasks(args.insert_tasks, args.orch_id)
        return
    if args.time_reconcile:
        time_reconcile()
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started = time.monotonic()
    if not args.skip_stack:
        config = dict(f"AIRFLOW__{item}".split("=", 1) for item in args.airflow_config)
        run_stack_part(sizes, args.rounds, args.logs_to, config)
    if not args.skip_parse:
        run_parse_part(sizes, args.shards)
    print(f"(bench took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
