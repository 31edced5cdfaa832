"""File locks (``flock``) that tell a file in use from one a crash left behind.

A lock is held by an open file, so it dies with its process: whatever a dead upload or
build left locked is free, whatever its age. Lock files may be removed while free; a
holder then checks that the path it locked is still the file on disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


def acquire(path: Path, *, blocking: bool = True) -> int | None:
    """Lock ``path`` (created if missing); return the open descriptor, or None if it is held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # removed (or replaced) while we waited: lock the file that is there now


def release(fd: int) -> None:
    os.close(fd)


@contextlib.contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold the lock on ``path`` for the ``with`` block, waiting for it if needed."""
    fd = acquire(path)
    assert fd is not None
    try:
        yield
    finally:
        release(fd)


def lock_open_file(fd: int) -> None:
    """Lock a file this process is writing, so sweeps leave it alone while it lives."""
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def is_abandoned(path: Path) -> bool:
    """True when nobody holds a lock on ``path`` (its writer finished or died)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
