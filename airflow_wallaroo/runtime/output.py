"""User code's side of the output channel: ``sys.stdout`` and ``sys.stderr`` as ordered records.

Two pipes cannot keep the order of lines written alternately to stdout and stderr: the
reader sees both ready at once and cannot tell which came first. So, inside the user's
Python process, both streams write framed records (a stream tag, a length, the bytes) to
one pipe, in the order they are flushed. The launcher reads that pipe back into lines.
Output that bypasses ``sys.stdout``/``sys.stderr`` (subprocesses, C code writing to file
descriptors 1 and 2) still goes through the plain pipes, as before.

It is installed by the ``sitecustomize`` that the launcher puts on the user's path, before
``main.py`` runs, only when ``WALLAROO_OUTPUT_FD`` names a writable pipe. Stdlib only.
"""

from __future__ import annotations

import io
import os
import sys
import threading

OUTPUT_FD_ENV = "WALLAROO_OUTPUT_FD"
STDOUT_TAG = b"O"
STDERR_TAG = b"E"
HEADER_BYTES = 5
#: Frames up to this size are written whole by one write, so processes sharing the pipe never interleave them.
FRAME_PAYLOAD = 4096 - HEADER_BYTES

_lock = threading.Lock()


def frame(tag: bytes, payload: bytes) -> bytes:
    return tag + len(payload).to_bytes(4, "big") + payload


class RecordWriter(io.RawIOBase):
    """A raw stream that sends what it is given as records of one stream on the shared pipe."""

    def __init__(self, fd: int, tag: bytes, fileno: int) -> None:
        super().__init__()
        self._fd = fd
        self._tag = tag
        self._fileno = fileno

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        # Code that needs a real descriptor (faulthandler, subprocess) gets the plain stream's.
        return self._fileno

    def write(self, data: object) -> int:
        payload = bytes(data)  # type: ignore[call-overload]
        with _lock:
            for start in range(0, len(payload), FRAME_PAYLOAD):
                _write_all(self._fd, frame(self._tag, payload[start : start + FRAME_PAYLOAD]))
        return len(payload)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _text_stream(fd: int, tag: bytes, fileno: int) -> io.TextIOWrapper:
    buffered = io.BufferedWriter(RecordWriter(fd, tag, fileno), buffer_size=64 * 1024)
    return io.TextIOWrapper(buffered, encoding="utf-8", errors="backslashreplace", line_buffering=True)


def install() -> bool:
    """Replace ``sys.stdout`` and ``sys.stderr`` when the launcher passed a record pipe."""
    raw = os.environ.get(OUTPUT_FD_ENV, "")
    if not raw.isdigit():
        return False
    fd = int(raw)
    try:
        os.fstat(fd)
    except OSError:  # a subprocess of the user code, which did not inherit the pipe
        return False
    sys.stdout = _text_stream(fd, STDOUT_TAG, 1)
    sys.stderr = _text_stream(fd, STDERR_TAG, 2)
    return True
