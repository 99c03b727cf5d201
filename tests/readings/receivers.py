"""A local billing endpoint for reading delivery tests, on 127.0.0.1 and a free port.

Like a real billing API it keeps the first request per `Idempotency-Key` and answers a repeat
with success without keeping it again. It can answer the first requests with chosen statuses.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class BillingReceiver:
    """An HTTP server that answers the statuses in `failures` first, then 201 for every request.

    With `token` set it answers 401 to a request without `Authorization: Bearer <token>`.
    """

    def __init__(
        self, failures: list[int] | None = None, always: int | None = None, token: str = ""
    ) -> None:
        self.failures = list(failures or [])
        self.always = always
        self.token = token
        self.posts: list[tuple[str, bytes]] = []
        self.kept: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/meter-readings"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def post_count(self) -> int:
        with self._lock:
            return len(self.posts)

    def kept_reading_ids(self) -> list[int]:
        """Return the reading ids of every kept batch, a repeat of a key counted once."""
        with self._lock:
            return [
                reading["reading_id"] for body in self.kept.values() for reading in body["readings"]
            ]

    def _receive(self, key: str, body: bytes, authorization: str) -> int:
        with self._lock:
            self.posts.append((key, body))
            if self.token and authorization != f"Bearer {self.token}":
                return 401
            if self.always is not None:
                return self.always
            if len(self.posts) <= len(self.failures):
                return self.failures[len(self.posts) - 1]
            self.kept.setdefault(key, json.loads(body))
            return 201

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver._receive(
                    self.headers.get("Idempotency-Key", ""),
                    body,
                    self.headers.get("Authorization", ""),
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
