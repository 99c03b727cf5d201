"""Local receivers for notification tests: an HTTP webhook server and an aiosmtpd SMTP server.

Both listen on 127.0.0.1 only, on a free port, and record what they receive.
"""

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Callable
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


class WebhookRequest:
    def __init__(self, headers: dict[str, str], body: bytes) -> None:
        self.headers = headers
        self.body = body


class WebhookReceiver:
    """An HTTP server that answers `failures` POSTs with HTTP 500, then HTTP 200."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[WebhookRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def _record(self, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            self.requests.append(WebhookRequest(headers, body))
            return 500 if len(self.requests) <= self.failures else 200

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver._record({k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class _MailHandler:
    def __init__(self, messages: list[EmailMessage], lock: threading.Lock) -> None:
        self._messages = messages
        self._lock = lock

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"


class SmtpReceiver:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(
            _MailHandler(self.messages, self._lock), hostname="127.0.0.1", port=self.port
        )

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def count(self) -> int:
        with self._lock:
            return len(self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until `condition()` is true; fail after `timeout` seconds."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")
