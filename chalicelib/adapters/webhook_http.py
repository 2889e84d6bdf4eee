"""POST a signed webhook to a receiver that may be slow, huge or hostile.

- One wall-clock deadline for the whole call (name resolution, connect, TLS handshake,
  sending, reading the answer): a receiver dripping one byte a second cannot hold the
  dispatcher past it.
- Only the status line and headers are read, at most ``max_response_bytes`` of them; the
  body is never read (a 300 MB answer costs nothing).
- The name is resolved here, at send time, every resolved address must be public (see
  chalicelib.domain.addresses: NAT64, 6to4 and IPv4-mapped forms of private addresses
  too), and the connection goes to one of those checked addresses — so DNS that changes
  after registration (rebinding) cannot point a delivery at the platform's own network.
  The Host header, TLS SNI and certificate check still use the registered host name.
- Redirects are never followed: the signed body goes where the agency registered it.

In the ``dev`` stage plain http to the loopback interface stays allowed (local receivers).
"""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

from ..domain import addresses
from ..services.ports import HttpResult

DEFAULT_DEADLINE_SECONDS = 10.0
DEFAULT_CONNECT_SECONDS = 3.0
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024

Resolver = Callable[[str, int], list[str]]

# getaddrinfo has no timeout of its own; it runs here so the deadline covers it too.
_resolver_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


class WebhookRefused(Exception):
    """The URL or what its name resolves to is not a permitted destination."""


class ResponseTooLarge(Exception):
    pass


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: list[str] = []
    for info in infos:
        if info[4][0] not in seen:
            seen.append(info[4][0])
    return seen


class _Budget:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self, cap: float | None = None) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the webhook call's deadline passed")
        return min(remaining, cap) if cap is not None else remaining


class _BoundedReader(io.RawIOBase):
    """What http.client reads the answer through: each read waits at most until the
    deadline, and no more than ``limit`` bytes are read in all."""

    def __init__(self, sock, budget: _Budget, limit: int):
        self._sock, self._budget, self._left = sock, budget, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            raise ResponseTooLarge("the receiver's answer is larger than the limit")
        self._sock.settimeout(self._budget.left())
        view = memoryview(buffer)[: min(len(buffer), self._left)]
        n = self._sock.recv_into(view)
        self._left -= n
        return n


class _AnswerSource:
    """Quacks like the socket http.client.HTTPResponse expects (only makefile)."""

    def __init__(self, sock, budget: _Budget, limit: int):
        self._reader = io.BufferedReader(_BoundedReader(sock, budget, limit), 1024)

    def makefile(self, mode: str):
        return self._reader


class HttpWebhookSender:
    def __init__(
        self,
        timeout_seconds: float = DEFAULT_DEADLINE_SECONDS,
        *,
        connect_seconds: float = DEFAULT_CONNECT_SECONDS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_loopback: bool | None = None,
        resolve: Resolver = system_resolve,
        ssl_context=None,
    ):
        self.deadline_seconds = timeout_seconds
        self.connect_seconds = connect_seconds
        self.max_response_bytes = max_response_bytes
        self._allow_loopback = allow_loopback
        self._resolve = resolve
        self._ssl_context = ssl_context

    # -- the port ---------------------------------------------------------------------

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> HttpResult:
        started = time.perf_counter()
        try:
            status = self._post(url, body, headers, _Budget(self.deadline_seconds))
            return HttpResult(status, (time.perf_counter() - started) * 1000)
        except Exception as e:
            return HttpResult(
                None, (time.perf_counter() - started) * 1000, f"{type(e).__name__}: {e}"[:500]
            )

    # -- steps ------------------------------------------------------------------------

    def loopback_allowed(self) -> bool:
        if self._allow_loopback is not None:
            return self._allow_loopback
        from ..config import settings

        return settings().stage == "dev"

    def checked_addresses(self, host: str, port: int, budget: _Budget) -> list[str]:
        """Every address the host resolves to, each one permitted, or WebhookRefused."""
        try:
            literal = addresses.parse(host)
        except ValueError:
            future = _resolver_pool.submit(self._resolve, host, port)
            try:
                found = future.result(timeout=budget.left())
            except FutureTimeout:
                raise TimeoutError(f"resolving {host} took longer than the deadline") from None
        else:
            found = [str(literal)]
        if not found:
            raise WebhookRefused(f"{host} does not resolve")
        loopback_ok = self.loopback_allowed()
        for text in found:
            ip = addresses.parse(text)
            if not (addresses.is_public(ip) or (loopback_ok and addresses.is_loopback(ip))):
                raise WebhookRefused(f"{host} resolves to a non-public address ({ip})")
        return found

    def _post(self, url: str, body: bytes, headers: dict[str, str], budget: _Budget) -> int:
        import http.client

        parts = urlsplit(url)
        scheme, host = parts.scheme, (parts.hostname or "").rstrip(".")
        if scheme not in ("https", "http") or not host:
            raise WebhookRefused("webhook URLs are https:// URLs with a host")
        if scheme == "http" and not self.loopback_allowed():
            raise WebhookRefused("webhook URLs must use https://")
        if parts.username or parts.password:
            raise WebhookRefused("webhook URLs must not carry credentials")
        port = parts.port or (443 if scheme == "https" else 80)
        found = self.checked_addresses(host, port, budget)

        sock = self._connect(found, port, budget)
        try:
            if scheme == "https":
                sock.settimeout(budget.left())  # the handshake as a whole (CPython's ssl)
                sock = self._tls().wrap_socket(sock, server_hostname=host)
            sock.settimeout(budget.left())
            sock.sendall(_request(parts, host, port, scheme, body, headers))
            response = http.client.HTTPResponse(
                _AnswerSource(sock, budget, self.max_response_bytes), method="POST"
            )
            response.begin()  # status line and headers; the body is left unread
            return response.status
        finally:
            sock.close()

    def _connect(self, found: list[str], port: int, budget: _Budget):
        error: OSError | None = None
        for text in found:  # only addresses checked above
            ip = addresses.parse(text)
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(budget.left(self.connect_seconds))
                sock.connect((str(ip), port))
                return sock
            except OSError as e:
                sock.close()
                error = e
        raise error or OSError("no address to connect to")

    def _tls(self):
        if self._ssl_context is None:
            import ssl

            self._ssl_context = ssl.create_default_context()
        return self._ssl_context


def _request(parts, host: str, port: int, scheme: str, body: bytes, headers: dict) -> bytes:
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    name = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    lines = [
        f"POST {target} HTTP/1.1",
        f"Host: {name}" + ("" if port == default else f":{port}"),
        f"Content-Length: {len(body)}",
        "Connection: close",
        "Accept-Encoding: identity",
    ]
    for key, value in headers.items():
        if key.lower() in ("host", "content-length", "connection", "transfer-encoding"):
            continue
        if any(c in f"{key}{value}" for c in "\r\n\0"):
            raise ValueError(f"header {key!r} has a line break")
        lines.append(f"{key}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
