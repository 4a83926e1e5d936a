"""A real HTTP server on loopback that plays the online services, and a client for it."""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from claimcheck.sources.http import SafeClient


@dataclass
class Reply:
    """What the fake server sends for one route."""

    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    chunk_delay: float = 0.0  # when set, the body trickles out one chunk at a time
    chunk_size: int = 64
    content_length: bool = True


@dataclass
class Seen:
    """One request the server received."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


Route = Reply | Callable[[Seen], Reply]


class FakeServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                seen = Seen(parts.path, parse_qs(parts.query), dict(self.headers.items()))
                server.requests.append(seen)
                route = server.routes.get(parts.path)
                if route is None:
                    reply = Reply(b"not found", status=404, content_type="text/plain")
                else:
                    reply = route(seen) if callable(route) else route
                with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
                    server.send(self, reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)

        self.scheme = "https" if tls is not None else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url + path

    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]

    def _sleep(self, seconds: float) -> bool:
        return not self.stopping.wait(seconds)

    def send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay and not self._sleep(reply.delay):
            return
        body = reply.body.encode() if isinstance(reply.body, str) else reply.body
        handler.send_response(reply.status)
        if reply.content_type:
            handler.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        if reply.content_length:
            handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if not reply.chunk_delay:
            handler.wfile.write(body)
            return
        for start in range(0, len(body), reply.chunk_size):
            handler.wfile.write(body[start : start + reply.chunk_size])
            handler.wfile.flush()
            if not self._sleep(reply.chunk_delay):
                return

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def make_server() -> Iterator[Callable[..., FakeServer]]:
    """Start extra servers (e.g. one speaking TLS); all are stopped after the test."""
    started: list[FakeServer] = []

    def start(tls: ssl.SSLContext | None = None) -> FakeServer:
        started.append(FakeServer(tls).__enter__())
        return started[-1]

    yield start
    for fake in started:
        fake.__exit__(None, None, None)


@pytest.fixture
def client() -> Iterator[SafeClient]:
    """A client allowed to reach loopback, with no rate-limit wait and a short timeout."""
    with SafeClient(allow_private=True, min_interval=0, timeout=2.0) as safe:
        yield safe


class FakeClock:
    """A clock for rate-limit tests: sleeping moves time forward, nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def reply() -> type[Reply]:
    """The Reply class, for building routes (test modules do not import conftest)."""
    return Reply


def build_pdf(text: str, title: str | None = None) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica, with correct xref offsets."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    info = f"<< /Title ({title}) >>".encode() if title else b"<< >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        info,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def make_pdf() -> Callable[..., bytes]:
    return build_pdf
