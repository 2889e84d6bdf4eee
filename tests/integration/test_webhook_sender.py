"""The webhook sender against real receivers on 127.0.0.1 that are slow, huge or lie about
their name, with short limits injected so every test takes well under a second."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from contextlib import contextmanager

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chalicelib.adapters.webhook_http import HttpWebhookSender

pytestmark = pytest.mark.integration

BODY = b'{"type": "report.assigned"}'
HEADERS = {"Content-Type": "application/json", "webhook-id": "msg_1"}
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Receiver:
    """A TCP server on 127.0.0.1 whose answer is scripted: ``answer(conn)`` runs per
    connection after the request head has been read. Records what arrived."""

    def __init__(self, answer, tls: ssl.SSLContext | None = None):
        self.answer, self.tls = answer, tls
        self.requests: list[bytes] = []
        self.connections = 0
        self.sni: list[str | None] = []
        self.sent = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        self._listener.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            conn.settimeout(2)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.requests.append(data)
            self.answer(self, conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self._listener.close()


@contextmanager
def receiver(answer, tls=None):
    r = Receiver(answer, tls)
    try:
        yield r
    finally:
        r.close()


def ok(r, conn):
    conn.sendall(OK)


def drip(r, conn):
    """One byte at a time, forever (until the client goes away)."""
    for byte in OK * 1000:
        conn.sendall(bytes([byte]))
        r.sent += 1
        time.sleep(0.02)


def huge_body(r, conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 314572800\r\n\r\n")
    chunk = b"\0" * 65536
    while r.sent < 314572800:
        conn.sendall(chunk)
        r.sent += len(chunk)


def endless_headers(r, conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    while True:
        conn.sendall(b"X-Padding: " + b"a" * 1000 + b"\r\n")
        r.sent += 1013


def sender(**overrides) -> HttpWebhookSender:
    options = dict(
        timeout_seconds=0.5,
        connect_seconds=0.5,
        max_response_bytes=16 * 1024,
        allow_loopback=True,
    )
    return HttpWebhookSender(**{**options, **overrides})


def send_in_time(s: HttpWebhookSender, url: str, limit: float = 5.0):
    """Run the send in a thread so a sender without limits fails the test, not hangs it."""
    out = {}
    started = time.monotonic()
    worker = threading.Thread(target=lambda: out.update(result=s.send(url, BODY, HEADERS)))
    worker.daemon = True
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), f"the send was still running after {limit} s"
    return out["result"], time.monotonic() - started


# -- deadline and answer size ------------------------------------------------------------


def test_a_receiver_answering_normally_is_delivered():
    with receiver(ok) as r:
        result, _ = send_in_time(sender(), f"http://127.0.0.1:{r.port}/hook?x=1")

    assert result.status == 200 and result.error is None
    head = r.requests[0].decode()
    assert head.startswith("POST /hook?x=1 HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{r.port}\r\n" in head
    assert "webhook-id: msg_1\r\n" in head


def test_a_dripping_receiver_cannot_hold_the_call_past_the_deadline():
    with receiver(drip) as r:
        result, took = send_in_time(sender(timeout_seconds=0.4), f"http://127.0.0.1:{r.port}/")

    assert result.status is None
    assert "deadline" in result.error or "timed out" in result.error
    assert took < 1.0
    assert r.sent < 40  # about 0.4 s of drip at 50 bytes a second


def test_a_receiver_that_never_answers_is_cut_at_the_deadline():
    with receiver(lambda r, conn: time.sleep(3)) as r:
        result, took = send_in_time(sender(timeout_seconds=0.3), f"http://127.0.0.1:{r.port}/")

    assert result.status is None and took < 1.0


def test_a_huge_answer_is_not_read():
    with receiver(huge_body) as r:
        result, took = send_in_time(sender(), f"http://127.0.0.1:{r.port}/")

    assert result.status == 200  # the status is all a delivery needs
    assert took < 1.0
    assert r.sent < 300 * 1024 * 1024


def test_endless_headers_stop_at_the_answer_limit():
    with receiver(endless_headers) as r:
        result, took = send_in_time(sender(timeout_seconds=2), f"http://127.0.0.1:{r.port}/")

    assert result.status is None
    assert "ResponseTooLarge" in result.error or "LineTooLong" in result.error
    assert took < 1.5


# -- the address checked at send time ------------------------------------------------------


def resolving_to(*addresses):
    calls = []

    def resolve(host, port):
        calls.append(host)
        return list(addresses)

    resolve.calls = calls
    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 form of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 form of the metadata service
        "2002:7f00:1::1",  # 6to4 form of 127.0.0.1
        "2002:a00:5::1",  # 6to4 form of 10.0.0.5
    ],
)
def test_a_name_that_now_resolves_to_a_private_address_is_refused(address):
    """Registered while it resolved to a public address; rebinding moved it since."""
    with receiver(ok) as r:
        resolve = resolving_to(address)
        s = sender(allow_loopback=False, resolve=resolve)
        result, _ = send_in_time(s, f"https://hooks.example.id:{r.port}/x")

    assert result.status is None and "non-public" in result.error
    assert resolve.calls == ["hooks.example.id"]  # resolved at send time
    assert r.connections == 0


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    s = sender(allow_loopback=False, resolve=resolving_to("93.184.216.34", "10.1.2.3"))
    result, _ = send_in_time(s, "https://hooks.example.id/x")

    assert result.status is None and "10.1.2.3" in result.error


def test_literal_private_addresses_are_refused_outside_dev():
    for url in ("https://[64:ff9b::a00:1]/x", "https://10.0.0.1/x", "http://93.184.216.34/x"):
        result, _ = send_in_time(sender(allow_loopback=False), url)
        assert result.status is None and "Refused" in result.error, url


def test_the_connection_goes_to_the_checked_address_with_the_registered_host_name():
    with receiver(ok) as r:
        s = sender(resolve=resolving_to("127.0.0.1"))
        result, _ = send_in_time(s, f"http://receiver.test:{r.port}/in")

    assert result.status == 200
    assert f"Host: receiver.test:{r.port}\r\n" in r.requests[0].decode()


def _certificate(name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@pytest.fixture
def tls(tmp_path):
    cert, key = _certificate("receiver.test")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    return server, client


def test_https_to_the_checked_address_keeps_sni_and_certificate_check(tls):
    server, client = tls
    seen_sni = []
    server.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
    with receiver(ok, tls=server) as r:
        s = sender(resolve=resolving_to("127.0.0.1"), ssl_context=client)
        result, _ = send_in_time(s, f"https://receiver.test:{r.port}/in")
        wrong = sender(resolve=resolving_to("127.0.0.1"), ssl_context=client)
        mismatch, _ = send_in_time(wrong, f"https://other.test:{r.port}/in")

    assert result.status == 200, result.error
    assert seen_sni[0] == "receiver.test"
    assert f"Host: receiver.test:{r.port}\r\n" in r.requests[0].decode()
    assert mismatch.status is None and "certificate" in mismatch.error.lower()


def test_a_tls_handshake_that_never_completes_is_cut_at_the_deadline():
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never speaks TLS
    try:
        port = silent.getsockname()[1]
        s = sender(timeout_seconds=0.3, resolve=resolving_to("127.0.0.1"))
        result, took = send_in_time(s, f"https://receiver.test:{port}/in")
    finally:
        silent.close()

    assert result.status is None and took < 1.0


def test_slow_name_resolution_counts_against_the_deadline():
    def slow(host, port):
        time.sleep(2)
        return ["93.184.216.34"]

    result, took = send_in_time(sender(timeout_seconds=0.3, resolve=slow), "https://a.test/x")

    assert result.status is None and "deadline" in result.error and took < 1.0


def test_the_deployed_default_limits():
    s = HttpWebhookSender()
    assert s.deadline_seconds <= 10 and s.max_response_bytes <= 64 * 1024
