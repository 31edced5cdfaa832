"""An orchestration whose main.py lives in app/ and imports a helper module next to it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from helpers import greeting

try:
    from airflow_wallaroo.runtime import task_args
except ImportError:  # the orchestration's venv need not have airflow-wallaroo installed

    def task_args() -> dict[str, Any]:
        """The JSON object the launcher wrote, or {} outside a task."""
        path = Path(os.environ.get("WALLAROO_ARGUMENTS_PATH") or "arguments.json")
        if not path.is_file():
            return {}
        args = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(args, dict):
            raise ValueError(f"task arguments in {path} must be a JSON object")
        return args


def main() -> int:
    print(greeting(task_args()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
