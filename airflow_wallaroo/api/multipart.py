"""Receives ``orchestration/upload`` bodies as a stream, straight to disk.

Starlette's ``request.form()`` would spool the archive to a temp file first and then
we would copy it again; here each chunk from the socket goes through python-multipart's
push parser into one file in the incoming folder, hashed on the way. The api-server
never holds more than a chunk of an archive in memory.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header
from starlette.requests import ClientDisconnect, Request

from airflow_wallaroo.core import locks
from airflow_wallaroo.core.layout import INCOMING_PREFIX
from airflow_wallaroo.core.permissions import PRIVATE, make_dir
from airflow_wallaroo.core.text import shown
from airflow_wallaroo.exceptions import (
    InsufficientStorageError,
    InvalidRequestError,
    PayloadTooLargeError,
)

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_METADATA_BYTES = 64 * 1024
#: Multipart framing and small fields on top of the archive itself.
FRAMING_ALLOWANCE = 1024 * 1024


@dataclass
class ReceivedUpload:
    """What arrived: the archive on disk (not yet validated), its sha256, the metadata."""

    path: Path | None = None
    sha: str = ""
    size: int = 0
    file_name: str = ""
    metadata: bytes | None = None
    #: A lock held on the file for the whole request: a sweep never takes a live upload.
    lock_fd: int | None = None

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        if self.lock_fd is not None:
            locks.release(self.lock_fd)
            self.lock_fd = None


@dataclass
class _PartState:
    headers: dict[str, str] = field(default_factory=dict)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    name: str = ""
    sink: BinaryIO | None = None
    buffer: bytearray | None = None


class _UploadSink:
    """python-multipart callbacks that route the ``file`` part to disk, ``metadata`` to memory."""

    def __init__(self, incoming: Path, max_bytes: int) -> None:
        self.incoming = incoming
        self.max_bytes = max_bytes
        self.upload = ReceivedUpload()
        self.part = _PartState()
        self.hasher = hashlib.sha256()
        self.seen_metadata = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": lambda data, start, end: self.part.header_field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self.part.header_value.extend(data[start:end]),
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.part = _PartState()

    def on_header_end(self) -> None:
        key = self.part.header_field.decode("latin-1").strip().lower()
        self.part.headers[key] = self.part.header_value.decode("latin-1").strip()
        self.part.header_field.clear()
        self.part.header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get("content-disposition", ""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if self.part.name == "file":
            if self.upload.path is not None:
                raise InvalidRequestError("file: more than one file part")
            filename = options.get(b"filename", b"").decode("utf-8", "replace")
            self.upload.file_name = Path(filename.replace("\\", "/")).name or "orchestration.zip"
            self.upload.path = self.incoming / f"{INCOMING_PREFIX}{uuid.uuid4().hex}"
            self.part.sink = self.upload.path.open("wb")
            self.upload.lock_fd = locks.acquire(self.upload.path, blocking=False)
        elif self.part.name == "metadata":
            if self.upload.metadata is not None or self.seen_metadata:
                raise InvalidRequestError("metadata: more than one metadata part; send exactly one")
            self.seen_metadata = True
            self.part.buffer = bytearray()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.part.sink is not None:
            self.upload.size += len(chunk)
            if self.upload.size > self.max_bytes:
                raise PayloadTooLargeError(f"file: the archive is over the limit of {self.max_bytes} bytes")
            self.hasher.update(chunk)
            _write(self.part.sink, chunk)
        elif self.part.buffer is not None:
            self.part.buffer.extend(chunk)
            if len(self.part.buffer) > MAX_METADATA_BYTES:
                raise InvalidRequestError(f"metadata: larger than {MAX_METADATA_BYTES} bytes")

    def on_part_end(self) -> None:
        if self.part.sink is not None:
            self.part.sink.close()
            self.part.sink = None
        if self.part.buffer is not None:
            self.upload.metadata = bytes(self.part.buffer)
            self.part.buffer = None

    def close(self) -> None:
        if self.part.sink is not None:
            self.part.sink.close()


async def receive_upload(
    request: Request, incoming: Path, *, max_bytes: int, min_free_bytes: int
) -> ReceivedUpload:
    """Stream a multipart upload to ``incoming``; raise a domain error for a bad one.

    On any error the partial file is removed, so nothing of a refused upload stays.
    """
    header = request.headers.get("content-type")
    if not header:
        raise InvalidRequestError(
            "body: no Content-Type; send multipart/form-data (with its boundary) holding the parts "
            "'file' and 'metadata'"
        )
    content_type, options = parse_options_header(header)
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidRequestError(
            f"body: Content-Type {shown(header)} is not multipart/form-data with a boundary; "
            "send the parts 'file' and 'metadata' as multipart/form-data"
        )
    length = request.headers.get("content-length") or "0"
    if not length.isdigit():
        raise InvalidRequestError(f"body: Content-Length {shown(length)} is not a number of bytes")
    declared = int(length)
    if declared > max_bytes + FRAMING_ALLOWANCE:
        raise PayloadTooLargeError(
            f"file: the upload ({declared} bytes) is over the limit of {max_bytes} bytes"
        )
    make_dir(incoming, PRIVATE)
    if shutil.disk_usage(incoming).free - declared < min_free_bytes:
        raise InsufficientStorageError("file: no storage left for this upload")

    sink = _UploadSink(incoming, max_bytes)
    parser = MultipartParser(boundary, sink.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        sink.close()
        if parser.state != MultipartState.END:
            raise _Unfinished
    except ClientDisconnect:
        sink.close()
        sink.upload.discard()
        raise InvalidRequestError("file: the client disconnected before the upload ended") from None
    except _Unfinished:
        sink.upload.discard()
        raise InvalidRequestError(
            "body: the multipart body ended before its closing boundary (--boundary--); "
            "the upload was cut short or badly built"
        ) from None
    except (ValueError, KeyError) as exc:  # python-multipart's parse errors
        sink.close()
        sink.upload.discard()
        raise InvalidRequestError(f"body: malformed multipart body ({shown(str(exc))})") from None
    except BaseException:
        sink.close()
        sink.upload.discard()
        raise
    sink.upload.sha = sink.hasher.hexdigest()
    return sink.upload


class _Unfinished(Exception):
    """The body ended without the closing boundary (python-multipart does not check it)."""


def _write(sink: BinaryIO, chunk: bytes) -> None:
    try:
        sink.write(chunk)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientStorageError("file: no storage left for this upload") from None
        raise


__all__ = ["ReceivedUpload", "receive_upload"]
