"""The safe HTTP client, against a real server on loopback."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import time

import httpx
import pytest

from claimcheck.sources.http import FetchError, RateLimiter, SafeClient, blocked_reason

pytestmark = pytest.mark.network


class Recorder(httpx.BaseTransport):
    """A real transport that remembers every URL it was asked to connect to."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.urls: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_fetches_a_page_with_a_polite_user_agent(server, client, reply):
    url = server.route("/page", reply("<p>café</p>", content_type="text/html; charset=utf-8"))
    response = client.get(url)
    assert response.status == 200
    assert response.content_type == "text/html"
    assert response.text == "<p>café</p>"
    agent = server.requests[0].headers["User-Agent"]
    assert agent.startswith("claimcheck/")
    assert agent.endswith("(+https://github.com/claimcheck)")


def test_declared_charset_is_used(server, client, reply):
    url = server.route("/latin", reply("Müller".encode("latin-1"), content_type="text/plain; charset=ISO-8859-1"))
    assert client.get(url).text == "Müller"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
    ],
)
def test_non_public_addresses_are_blocked(address):
    assert blocked_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_allow_private_lifts_the_block_but_never_for_metadata():
    assert blocked_reason(ipaddress.ip_address("10.0.0.1"), allow_private=True) is None
    assert blocked_reason(ipaddress.ip_address("127.0.0.1"), allow_private=True) is None
    for metadata in ("169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254"):
        reason = blocked_reason(ipaddress.ip_address(metadata), allow_private=True)
        assert reason == "a cloud metadata address"


def test_hostname_resolving_to_loopback_is_blocked(server, reply):
    server.route("/page", reply("secret"))
    with SafeClient(min_interval=0) as strict, pytest.raises(FetchError) as caught:
        strict.get(f"http://localhost:{server.port}/page")
    assert caught.value.reason.startswith("blocked: localhost resolves to a loopback address")
    assert caught.value.transient  # depends on settings, so never cached as "not found"
    assert server.requests == []


def test_one_private_address_among_public_ones_blocks_without_connecting():
    recorder = Recorder()
    fake_dns = {"mixed.test": ["93.184.216.34", "10.0.0.7"]}
    with (
        SafeClient(min_interval=0, resolve=lambda host, port: fake_dns[host], transport=recorder) as strict,
        pytest.raises(FetchError) as caught,
    ):
        strict.get("http://mixed.test/paper")
    assert "private address (10.0.0.7)" in caught.value.reason
    assert recorder.urls == []


def test_redirect_to_metadata_address_is_blocked_without_connecting(server, reply):
    url = server.route("/go", reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/iam/"}))
    recorder = Recorder()
    start = time.monotonic()
    with (
        SafeClient(allow_private=True, min_interval=0, transport=recorder) as open_client,
        pytest.raises(FetchError) as caught,
    ):
        open_client.get(url)
    assert caught.value.reason == ("blocked: 169.254.169.254 resolves to a cloud metadata address (169.254.169.254)")
    assert recorder.urls == [url]  # the first hop only; nothing was sent to 169.254.169.254
    assert time.monotonic() - start < 1.0


def test_redirect_to_private_host_is_blocked_when_the_first_hop_is_allowed(server, reply):
    server.route("/ok", reply("fine"))
    server.route("/go", reply(status=301, headers={"Location": "http://intranet.test/admin"}))
    fake_dns = {"127.0.0.1": ["127.0.0.1"], "intranet.test": ["10.20.30.40"]}
    with SafeClient(
        allowed_networks=["127.0.0.1/32"], min_interval=0, resolve=lambda host, port: fake_dns[host]
    ) as strict:
        assert strict.get(server.url + "/ok").text == "fine"
        with pytest.raises(FetchError) as caught:
            strict.get(server.url + "/go")
    assert "intranet.test resolves to a private address (10.20.30.40)" in caught.value.reason
    assert server.paths() == ["/ok", "/go"]


def _rebinding_dns(first: str, later: str):
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return [first] if len(calls) == 1 else [later]

    return resolve, calls


def test_connects_to_the_vetted_address_and_asks_dns_once_per_hop(server, reply):
    server.route("/paper", reply("the paper"))
    resolve, calls = _rebinding_dns("127.0.0.1", "10.9.9.9")
    with SafeClient(allowed_networks=["127.0.0.1/32"], min_interval=0, resolve=resolve) as strict:
        response = strict.get(f"http://papers.test:{server.port}/paper")
    assert response.text == "the paper"
    assert calls == ["papers.test"]  # a rebinding second answer is never asked for
    assert server.requests[0].headers["Host"] == f"papers.test:{server.port}"
    assert response.url == f"http://papers.test:{server.port}/paper"


def test_every_redirect_hop_is_vetted_again(server, reply):
    server.route("/a", reply(status=302, headers={"Location": "/b"}))
    server.route("/b", reply("b"))
    resolve, calls = _rebinding_dns("127.0.0.1", "10.9.9.9")
    with (
        SafeClient(allowed_networks=["127.0.0.1/32"], min_interval=0, resolve=resolve) as strict,
        pytest.raises(FetchError) as caught,
    ):
        strict.get(f"http://papers.test:{server.port}/a")
    assert "private address (10.9.9.9)" in caught.value.reason
    assert calls == ["papers.test", "papers.test"]
    assert server.paths() == ["/a"]


def _chain(server, reply, length: int) -> str:
    for i in range(length):
        server.route(f"/hop/{i}", reply(status=307 if i % 2 else 302, headers={"Location": f"/hop/{i + 1}"}))
    server.route(f"/hop/{length}", reply("arrived", content_type="text/plain"))
    return server.url + "/hop/0"


def test_five_redirects_are_followed(server, client, reply):
    response = client.get(_chain(server, reply, 5))
    assert response.text == "arrived"
    assert response.url.endswith("/hop/5")


def test_a_redirect_chain_longer_than_the_limit_fails(server, client, reply):
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        client.get(_chain(server, reply, 6))
    assert len(server.requests) == 6  # stopped before following the sixth redirect


def test_redirect_to_another_scheme_is_refused(server, client, reply):
    url = server.route("/ftp", reply(status=302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError, match="only http and https"):
        client.get(url)


@pytest.mark.parametrize("declared", [True, False])
def test_response_over_the_size_cap_fails(server, reply, declared):
    url = server.route("/big", reply(b"x" * 20_000_000, content_type="text/plain", content_length=declared))
    start = time.monotonic()
    with (
        SafeClient(allow_private=True, min_interval=0, max_bytes=1_000_000) as small,
        pytest.raises(FetchError, match="larger than"),
    ):
        small.get(url)
    assert time.monotonic() - start < 2.0


def test_response_at_the_size_cap_passes(server, reply):
    url = server.route("/exact", reply(b"x" * 1000, content_type="text/plain"))
    with SafeClient(allow_private=True, min_interval=0, max_bytes=1000) as small:
        assert len(small.get(url).body) == 1000


@pytest.mark.parametrize("content_type", ["image/png", "application/octet-stream", None])
def test_content_type_outside_the_allowlist_fails(server, client, reply, content_type):
    url = server.route("/blob", reply(bytes(range(256)) * 4, content_type=content_type))
    with pytest.raises(FetchError, match="unexpected content type"):
        client.get(url)


def test_caller_can_narrow_the_allowlist(server, client, reply):
    url = server.route("/page", reply("<p>hi</p>"))
    with pytest.raises(FetchError, match="unexpected content type text/html"):
        client.get(url, content_types={"application/json"})


def test_slow_response_times_out(server, reply):
    url = server.route("/slow", reply("late", delay=3.0))
    start = time.monotonic()
    with (
        SafeClient(allow_private=True, min_interval=0, timeout=0.4) as quick,
        pytest.raises(FetchError, match=r"timed out after 0.4 s") as caught,
    ):
        quick.get(url)
    assert caught.value.transient
    assert time.monotonic() - start < 1.5


def test_trickling_body_hits_the_total_deadline(server, reply):
    # every chunk arrives well within a read timeout; only a total deadline stops this
    url = server.route("/drip", reply(b"y" * 2000, content_type="text/plain", chunk_delay=0.1, chunk_size=50))
    start = time.monotonic()
    with (
        SafeClient(allow_private=True, min_interval=0, timeout=0.5) as quick,
        pytest.raises(FetchError, match="timed out"),
    ):
        quick.get(url)
    assert time.monotonic() - start < 1.5


@pytest.mark.parametrize(("status", "transient"), [(404, False), (410, False), (500, True), (503, True), (429, True)])
def test_error_statuses_fail_with_the_status(server, client, reply, status, transient):
    url = server.route("/err", reply("oops", status=status))
    with pytest.raises(FetchError) as caught:
        client.get(url)
    assert caught.value.reason == f"HTTP {status}"
    assert caught.value.status == status
    assert caught.value.transient is transient


def test_connection_refused_is_a_transient_one_line_error(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        client.get(f"http://127.0.0.1:{port}/")
    assert caught.value.reason.startswith("cannot connect to 127.0.0.1")
    assert "\n" not in caught.value.reason
    assert caught.value.transient


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.org/x", "only http and https"),
        ("/relative/path", "only http and https"),
        ("http://user:secret@127.0.0.1/", "user name or password"),
        ("http://[::1", "not a valid URL"),
    ],
)
def test_unfetchable_urls_are_refused(client, url, message):
    with pytest.raises(FetchError, match=message):
        client.get(url)


def test_unresolvable_host_is_a_fetch_error():
    def no_dns(host: str, port: int) -> list[str]:
        raise socket.gaierror(-2, "Name or service not known")

    with SafeClient(min_interval=0, resolve=no_dns) as strict, pytest.raises(FetchError) as caught:
        strict.get("http://no-such-host.test/")
    assert caught.value.reason == "cannot resolve no-such-host.test"


def test_rate_limiter_spaces_requests_per_host(fake_clock):
    limiter = RateLimiter(1.0, clock=fake_clock, sleep=fake_clock.sleep)
    assert limiter.wait("a.test") == 0
    assert limiter.wait("b.test") == 0  # another host does not wait
    assert limiter.wait("a.test") == pytest.approx(1.0)
    fake_clock.now += 0.25
    assert limiter.wait("a.test") == pytest.approx(0.75)
    fake_clock.now += 5
    assert limiter.wait("a.test") == 0
    assert fake_clock.sleeps == [pytest.approx(1.0), pytest.approx(0.75)]


def test_client_waits_its_turn_between_requests_to_one_host(server, reply, fake_clock):
    url = server.route("/p", reply("p"))
    limiter = RateLimiter(1.0, clock=fake_clock, sleep=fake_clock.sleep)
    with SafeClient(allow_private=True, rate_limiter=limiter) as polite:
        polite.get(url)
        polite.get(url)
    assert fake_clock.sleeps == [pytest.approx(1.0)]
    assert len(server.requests) == 2


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for papers.test (made with the openssl tool)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=papers.test",
         "-addext", "subjectAltName=DNS:papers.test"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate, make_server):
    """A fake server speaking TLS with the papers.test certificate."""
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return make_server(tls=context)


@pytest.mark.parametrize(("host", "ok"), [("papers.test", True), ("other.test", False)])
def test_https_to_the_vetted_address_still_checks_the_certificate_name(tls_server, certificate, reply, host, ok):
    tls_server.route("/paper", reply("over tls"))
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    with SafeClient(
        allowed_networks=["127.0.0.1/32"], min_interval=0, ssl_context=trust, resolve=lambda h, p: ["127.0.0.1"]
    ) as strict:
        if ok:
            assert strict.get(f"https://{host}:{tls_server.port}/paper").text == "over tls"
            assert tls_server.requests[0].headers["Host"] == f"{host}:{tls_server.port}"
        else:
            with pytest.raises(FetchError, match=r"cannot connect to other\.test: .*certificate") as caught:
                strict.get(f"https://{host}:{tls_server.port}/paper")
            assert "\n" not in caught.value.reason
            assert tls_server.requests == []
