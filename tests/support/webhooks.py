"""A local webhook receiver that checks each body's HMAC signature, as a real receiver would."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    """What the receiver saw: verified bodies, and how many requests it refused."""

    secret: str
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    bad_signatures: int = 0
    #: Answer 500 to this many requests first (to exercise the sender's retries).
    fail_first: int = 0
    requests: int = 0

    def verify(self, body: bytes, signature: str | None) -> bool:
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        return signature is not None and hmac.compare_digest(expected, signature)


@contextmanager
def webhook_receiver(secret: str, fail_first: int = 0) -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 (a free port) in a thread; ``Receiver.url`` is its hook."""
    receiver = Receiver(secret=secret, fail_first=fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests += 1
            if receiver.requests <= receiver.fail_first:
                self.send_response(500)
            elif not receiver.verify(body, self.headers.get("X-Wallaroo-Signature")):
                receiver.bad_signatures += 1
                self.send_response(401)
            else:
                receiver.received.append(json.loads(body))
                receiver.headers.append(dict(self.headers.items()))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
