"""Upload a 500 MB orchestration and compare with ``cp`` of the same file, run beside it.

Prints the api-server's peak RSS growth during the upload (all its processes: the
api-server and its uvicorn workers) and the upload's throughput as a ratio of cp's, and of
cp followed by fsync (the upload is fsynced before its 202). The client is curl.
Targets (issue 3): RSS growth <= 64 MB, throughput >= 0.5x cp.

    .venv/bin/python -m bench.upload [--size-mb 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil

from tests.support.stack import AirflowStack

MB = 1024 * 1024


def make_archive(path: Path, size_mb: int) -> None:
    """A stored (uncompressed) ZIP of random bytes: every byte is hashed, checked and kept."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("main.py", "print('big')\n")
        with archive.open("data.bin", "w", force_zip64=True) as data:
            for _ in range(size_mb):
                data.write(os.urandom(MB))


class RssSampler(threading.Thread):
    """Samples the summed RSS of a process tree every 20 ms."""

    def __init__(self, root: psutil.Process) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self.stop_event = threading.Event()

    def total(self) -> int:
        processes = [self.root, *self.root.children(recursive=True)]
        total = 0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.peak = max(self.peak, self.total())
            time.sleep(0.02)


def api_server_process(stack: AirflowStack) -> psutil.Process:
    supervisor = psutil.Process(stack.process.pid)  # type: ignore[union-attr]
    for child in supervisor.children(recursive=False):
        if "api" in " ".join(child.cmdline()):
            return child
    raise RuntimeError("api-server process not found")


def time_cp(source: Path, folder: Path, *, fsync: bool = False) -> float:
    """``cp`` of the archive into the data folder; with ``fsync``, also flushed to disk as an upload is."""
    target = folder / "cp-baseline.zip"
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    if fsync:
        descriptor = os.open(target, os.O_RDONLY)
        os.fsync(descriptor)
        os.close(descriptor)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def time_upload(stack: AirflowStack, archive: Path, workspace_id: int) -> tuple[float, int, str]:
    """Return the seconds to a 202, the RSS growth of the api-server meanwhile, and the id.

    The client is curl, so that the figure is the api-server's, not a Python client's.
    """
    server = api_server_process(stack)
    sampler = RssSampler(server)
    baseline = sampler.total()
    sampler.start()
    started = time.perf_counter()
    answer = subprocess.run(
        [
            "curl",
            "-sS",
            "-w",
            "\n%{http_code}",
            "-H",
            f"Authorization: Bearer {stack.token('admin')}",
            "-F",
            f"file=@{archive};type=application/octet-stream",
            "-F",
            f"metadata={json.dumps({'workspace_id': workspace_id})}",
            f"{stack.base_url}/v1/api/orchestration/upload",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    sampler.stop_event.set()
    sampler.join()
    body, _, status = answer.stdout.rpartition("\n")
    if status != "202":
        raise RuntimeError(f"upload failed: {answer.stdout} {answer.stderr}")
    return seconds, sampler.peak - baseline, json.loads(body)["id"]


def wait_packaged(stack: AirflowStack, orchestration_id: str, timeout: float = 600) -> None:
    """Let packaging (which unpacks the archive: 500 MB more to write) end before the next round.

    Otherwise the next round's cp and upload compete with it for the disk, unevenly.
    """
    deadline = time.monotonic() + timeout
    with stack.client("admin") as client:
        while time.monotonic() < deadline:
            status = client.post("/orchestration/get_by_id", json={"id": orchestration_id}).json()["status"]
            if status in ("ready", "error"):
                return
            time.sleep(0.5)
    raise RuntimeError(f"orchestration {orchestration_id} still packaging after {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallaroo-bench-") as scratch:
        root = Path(scratch)
        archive = root / "big.zip"
        make_archive(archive, args.size_mb)
        size = archive.stat().st_size
        limit = str(4 * size)
        stack = AirflowStack(
            home=root / "home",
            backend="sqlite",
            extra_env={
                "AIRFLOW__WALLAROO__MAX_ARCHIVE_BYTES": limit,
                "AIRFLOW__WALLAROO__MAX_UNCOMPRESSED_BYTES": limit,
            },
        )
        stack.start()
        try:
            with stack.client("admin") as client:
                workspace_id = client.post("/workspaces/list", json={}).json()["workspaces"][0]["id"]
            data_folder = stack.data_folder
            data_folder.mkdir(parents=True, exist_ok=True)
            uploads, cps, synced_cps, growths = [], [], [], []
            for round_ in range(args.rounds):
                cps.append(time_cp(archive, data_folder))
                synced_cps.append(time_cp(archive, data_folder, fsync=True))
                seconds, growth, orchestration_id = time_upload(stack, archive, workspace_id)
                uploads.append(seconds)
                growths.append(growth)
                wait_packaged(stack, orchestration_id)
                # A new round must store a new sha: append a byte-different comment.
                with zipfile.ZipFile(archive, "a") as zipped:
                    zipped.comment = f"round {round_}".encode()
                shutil.rmtree(data_folder / "envs", ignore_errors=True)
        finally:
            stack.stop()
    cp_s, up_s = statistics.median(cps), statistics.median(uploads)
    synced_s = statistics.median(synced_cps)
    print(f"archive size           : {size / MB:.0f} MiB, {args.rounds} rounds, medians below")
    print(f"cp                     : {cp_s:.2f} s  ({size / MB / cp_s:.0f} MiB/s)")
    print(f"cp + fsync             : {synced_s:.2f} s  ({size / MB / synced_s:.0f} MiB/s)")
    print(f"upload to 202 (curl)   : {up_s:.2f} s  ({size / MB / up_s:.0f} MiB/s)")
    print(f"throughput vs cp       : {cp_s / up_s:.2f}x   (target >= 0.5x)")
    print(f"throughput vs cp+fsync : {synced_s / up_s:.2f}x   (an upload is on disk when it answers 202)")
    print(
        f"api-server RSS growth  : peak {max(growths) / MB:.1f} MiB, "
        f"median {statistics.median(growths) / MB:.1f} MiB"
        "   (target <= 64 MiB)"
    )


if __name__ == "__main__":
    main()
