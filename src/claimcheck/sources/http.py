"""A careful HTTP client for URLs taken from untrusted articles.

An article can cite any URL, including ones aimed at the machine running claimcheck (a
router page, a cloud metadata service). So every hop is vetted before a byte is sent: the
host name is resolved once, every address it resolves to must be public, and the request is
then sent to that vetted address (the Host header and the TLS server name keep the real
name, so virtual hosts and certificate checks still work). Connecting to the vetted address,
rather than re-resolving or checking the peer afterwards, is what defeats DNS rebinding: a
second, different DNS answer is never asked for, and nothing is sent to an unchecked peer.

Everything that goes wrong becomes a ``FetchError`` with a one-line reason.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import httpx

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_MIN_INTERVAL = 1.0
ALLOWED_CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/json",
        "application/xml",
        "text/xml",
        "application/atom+xml",
        "application/pdf",
    }
)
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Cloud metadata services: blocked even with allow_private, since no source lives there.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "100.100.100.200",
        "fd00:ec2::254",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[str]]


def _version() -> str:
    try:
        return metadata.version("claimcheck")
    except metadata.PackageNotFoundError:
        return "0"


USER_AGENT = f"claimcheck/{_version()} (+https://github.com/claimcheck)"


class FetchError(Exception):
    """A fetch that failed; ``reason`` is one line fit to show a person.

    ``status`` is the HTTP status when there was one; ``transient`` says whether trying
    again later might help (timeouts, connection failures, 5xx, 429), which decides whether
    a failure may be remembered as "not found".
    """

    def __init__(self, reason: str, *, status: int | None = None, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.transient = transient or (status is not None and (status >= 500 or status == 429))


@dataclass(frozen=True)
class Response:
    """A finished response: the final URL after redirects, its type and the whole body."""

    url: str
    status: int
    content_type: str
    body: bytes
    charset: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise FetchError(f"{self.url}: response is not valid JSON") from exc


def blocked_reason(
    address: Address, allow_private: bool = False, allowed: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = ()
) -> str | None:
    """Why ``address`` must not be contacted, or None when it may be."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = blocked_reason(embedded, allow_private, allowed)
            if reason:
                return reason
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if allow_private or any(address in net for net in allowed):
        return None
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    for name, hit in checks:
        if hit:
            return f"a {name} address"
    return None


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process; building one loads the CA bundle (tens of ms)."""
    return httpx.create_ssl_context()


def system_resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), via the system resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


class RateLimiter:
    """At most one request per ``min_interval`` seconds to each host; clock injectable."""

    def __init__(
        self,
        min_interval: float = DEFAULT_MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self.clock = clock
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> float:
        """Wait for ``host``'s turn; returns the seconds waited."""
        with self._lock:
            now = self.clock()
            last = self._last.get(host)
            delay = 0.0 if last is None else max(0.0, last + self.min_interval - now)
            self._last[host] = now + delay
        if delay:
            self.sleep(delay)
        return delay


class SafeClient:
    """GET untrusted URLs with a time limit, a size cap, a content-type allowlist, manually
    followed redirects and no requests to private, loopback or metadata addresses.

    ``allow_private`` lifts the address block (metadata addresses stay blocked);
    ``allowed_networks`` lifts it for a few networks only (e.g. an intranet source server).
    ``resolve`` and ``transport`` are injectable so tests can control DNS and see requests;
    ``ssl_context`` replaces the default (system CA bundle) certificate verification.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        content_types: Iterable[str] = ALLOWED_CONTENT_TYPES,
        allow_private: bool = False,
        allowed_networks: Iterable[str] = (),
        min_interval: float = DEFAULT_MIN_INTERVAL,
        rate_limiter: RateLimiter | None = None,
        resolve: Resolve = system_resolve,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.content_types = frozenset(content_types)
        self.allow_private = allow_private
        self.allowed_networks = tuple(ipaddress.ip_network(n, strict=False) for n in allowed_networks)
        self.rate_limiter = rate_limiter or RateLimiter(min_interval)
        self.resolve = resolve
        self.user_agent = user_agent
        # No keep-alive: a pooled connection is keyed by IP, and reusing one made for another
        # host name would skip that name's TLS check. No env proxies: they would bypass pinning.
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            **({} if transport is not None else {"verify": ssl_context or _ssl_context()}),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: str | None = None,
        content_types: Iterable[str] | None = None,
    ) -> Response:
        """Fetch ``url``; raises FetchError with a one-line reason for anything short of a
        2xx response of an allowed type within the limits."""
        try:
            current = httpx.URL(url, params=params) if params else httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(f"not a valid URL: {url!r}") from exc
        allowed = frozenset(content_types) if content_types is not None else self.content_types
        started = time.monotonic()
        waited = 0.0
        for hop in range(self.max_redirects + 1):
            address = self._vet(current)
            waited += self.rate_limiter.wait(current.host)
            deadline = started + waited + self.timeout
            result = self._send(current, address, deadline, accept, allowed)
            if isinstance(result, Response):
                return result
            if hop == self.max_redirects:
                break
            current = result
        raise FetchError(f"too many redirects (more than {self.max_redirects})")

    def _vet(self, url: httpx.URL) -> str:
        """The address to connect to for ``url``, after checking every address it has."""
        if url.scheme not in ("http", "https"):
            scheme = f"{url.scheme}:" if url.scheme else "a relative URL"
            raise FetchError(f"only http and https URLs are fetched, not {scheme}")
        if not url.host:
            raise FetchError(f"URL has no host: {url}")
        if url.userinfo:
            raise FetchError("URLs with a user name or password are not fetched")
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            found = self.resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host}", transient=True) from exc
        if not found:
            raise FetchError(f"cannot resolve {host}", transient=True)
        # "blocked" depends on settings (allow_private), so it is marked transient: a cache
        # must not remember it as "not found" for a later run with other settings.
        for text in found:
            try:
                address = ipaddress.ip_address(text)
            except ValueError as exc:
                raise FetchError(f"blocked: {host} resolves to an unusable address", transient=True) from exc
            why = blocked_reason(address, self.allow_private, self.allowed_networks)
            if why:
                raise FetchError(f"blocked: {host} resolves to {why} ({address})", transient=True)
        return found[0]

    def _send(
        self, url: httpx.URL, address: str, deadline: float, accept: str | None, allowed: frozenset[str]
    ) -> Response | httpx.URL:
        """One request to the vetted address; a Response, or the URL a redirect points to."""
        host = url.raw_host.decode("ascii")
        headers = {
            "Host": url.netloc.decode("ascii"),
            "User-Agent": self.user_agent,
            "Accept": accept or "*/*",
            "Connection": "close",
        }
        extensions = {"sni_hostname": host} if url.scheme == "https" else {}
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timed out after {self.timeout:g} s", transient=True)
        request = self._client.build_request(
            "GET",
            url.copy_with(host=address),
            headers=headers,
            extensions=extensions,
            timeout=httpx.Timeout(remaining),
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out after {self.timeout:g} s", transient=True) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot connect to {host}: {_one_line(exc)}", transient=True) from exc
        try:
            return self._finish(url, response, deadline, allowed)
        finally:
            response.close()
            self._client.cookies.clear()

    def _finish(
        self, url: httpx.URL, response: httpx.Response, deadline: float, allowed: frozenset[str]
    ) -> Response | httpx.URL:
        status = response.status_code
        if status in REDIRECT_CODES:
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {status} redirect without a Location", status=status)
            try:
                return url.join(location)
            except (httpx.InvalidURL, ValueError) as exc:
                raise FetchError(f"redirect to an invalid URL: {location[:200]!r}") from exc
        if not 200 <= status < 300:
            raise FetchError(f"HTTP {status}", status=status)
        content_type, charset = _parse_content_type(response.headers.get("content-type", ""))
        if content_type not in allowed:
            raise FetchError(f"unexpected content type {content_type or '(none)'}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"response is larger than {_mb(self.max_bytes)}")
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise FetchError(f"response is larger than {_mb(self.max_bytes)}")
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out after {self.timeout:g} s", transient=True)
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out after {self.timeout:g} s", transient=True) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"download failed: {_one_line(exc)}", transient=True) from exc
        final = str(url)
        return Response(final, status, content_type, bytes(body), charset, dict(response.headers))


def _parse_content_type(value: str) -> tuple[str, str | None]:
    kind, _, rest = value.partition(";")
    charset = None
    for part in rest.split(";"):
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return kind.strip().lower(), charset


def _mb(size: int) -> str:
    return f"{size / 1048576:g} MB"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
