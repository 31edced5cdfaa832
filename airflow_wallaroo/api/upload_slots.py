"""A bound on the uploads one api-server process receives at once.

Each upload holds a socket, a file in the incoming folder and, at its end, a validation
pass and a short database session. Past the bound, a new upload is refused at once with
429 and ``Retry-After`` instead of slowing every other request down. The count is per
process: N api-server workers take up to N times the bound.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from airflow_wallaroo.exceptions import TooManyRequestsError

__all__ = ["RETRY_AFTER_SECONDS", "UploadSlots", "upload_slots"]

#: What a refused client is told to wait: about the time a small upload takes to finish.
RETRY_AFTER_SECONDS = 5


class UploadSlots:
    """Counts uploads in flight; ``hold`` takes a slot for the duration of a ``with`` block."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @contextmanager
    def hold(self, limit: int) -> Iterator[None]:
        """Take a slot, or raise TooManyRequestsError when ``limit`` are taken (0: no limit).

        The limit is passed on each call, so a changed ``max_concurrent_uploads`` applies
        to the next upload without a restart of the count.
        """
        with self._lock:
            if limit > 0 and self._in_flight >= limit:
                raise TooManyRequestsError(
                    f"too many uploads in progress ({limit} at once, [wallaroo] max_concurrent_uploads); "
                    f"retry in {RETRY_AFTER_SECONDS} s",
                    retry_after=RETRY_AFTER_SECONDS,
                )
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1


#: The process's one count, shared by every upload request it serves.
upload_slots = UploadSlots()
