"""The smallest orchestration: print whether we run as a task, and with which arguments.

Optional arguments, used by the platform's own tests:

* ``"sleep": <seconds>`` - sleep that long first, printing ``hello: tick N`` every second;
* ``"fail": true`` - then print an error to stderr and exit with code 3.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

try:
    from airflow_wallaroo.runtime import in_task, task_args
except ImportError:  # the orchestration's venv need not have airflow-wallaroo installed

    def in_task() -> bool:
        """True when the launcher set WALLAROO_TASK_ID."""
        return bool(os.environ.get("WALLAROO_TASK_ID"))

    def task_args() -> dict[str, Any]:
        """The JSON object the launcher wrote, or {} outside a task."""
        path = Path(os.environ.get("WALLAROO_ARGUMENTS_PATH") or "arguments.json")
        if not path.is_file():
            return {}
        args = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(args, dict):
            raise ValueError(f"task arguments in {path} must be a JSON object")
        return args


def sleep_with_ticks(seconds: float) -> None:
    """Sleep, showing progress each second so timeouts and kills are visible in the log."""
    deadline = time.monotonic() + seconds
    tick = 0
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(1.0, left))
        tick += 1
        print(f"hello: tick {tick}", flush=True)


def main() -> int:
    args = task_args()
    print(f"hello: in_task = {in_task()}", flush=True)
    print(f"hello: arguments = {json.dumps(args, sort_keys=True)}", flush=True)

    sleep = args.get("sleep", 0)
    if isinstance(sleep, bool) or not isinstance(sleep, (int, float)) or sleep < 0:
        print(f"hello: error: 'sleep' must be a number of seconds >= 0, got {sleep!r}", file=sys.stderr)
        return 2
    if sleep:
        sleep_with_ticks(float(sleep))

    if args.get("fail"):
        print("hello: error: failing on purpose, as the 'fail' argument asked", file=sys.stderr, flush=True)
        return 3

    print("hello: done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
