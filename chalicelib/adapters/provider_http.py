"""HTTPS calls to the messaging providers (Twilio, Meta's Graph API, X), standard library
only: no requests/aiohttp in the Lambda package.

- One deadline for the whole call's reading (each socket operation also waits at most
  ``timeout`` seconds), and at most ``limit`` bytes of an answer are read: past it the
  call stops reading and raises ``TooLarge`` (a media download cannot fill the memory).
- Sends never follow redirects (a provider API does not redirect a POST; a redirect is
  answered as it came). Downloads may (Twilio's media URL redirects to its CDN): only to
  https (``allow_http`` for the local stack's fake providers), at most 5 hops, and
  credentials given as ``auth`` are not sent on to the redirect's host.
- Provider answers of any status come back as a ``Response``; only the network (DNS,
  connect, TLS, timeout) raises ``OSError``.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_TIMEOUT = 10.0
DEFAULT_LIMIT = 64 * 1024  # an API's answer; media downloads pass their own limit
MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class TooLarge(Exception):
    """The answer has more bytes than the caller's limit."""


class RedirectRefused(Exception):
    """A download redirected somewhere it may not go (not https, too many hops)."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    url: str = ""  # where the answer came from (after redirects)

    def json(self) -> dict:
        """The body as a JSON object; {} when it is not one."""
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("content-type")
        return value.split(";")[0].strip().lower() if value else None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx is answered as it came


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, allow_http: bool):
        super().__init__()
        self.allow_http = allow_http

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urlsplit(newurl).scheme
        if scheme != "https" and not (self.allow_http and scheme == "http"):
            raise RedirectRefused(f"redirect to a {scheme or 'relative'} URL")
        # urllib copies req.headers only: "unredirected" ones (the credentials) stay behind.
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class ProviderHttp:
    def __init__(self, timeout: float = DEFAULT_TIMEOUT, *, allow_http: bool = False):
        self.timeout = timeout
        self.allow_http = allow_http
        self._send = urllib.request.build_opener(_NoRedirects())
        self._fetch = urllib.request.build_opener(_CheckedRedirects(allow_http))

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        auth: str | None = None,
        limit: int = DEFAULT_LIMIT,
        follow_redirects: bool = False,
    ) -> Response:
        """``auth``: the Authorization header, sent to ``url``'s host only."""
        scheme = urlsplit(url).scheme
        if scheme != "https" and not (self.allow_http and scheme == "http"):
            raise ValueError("provider URLs are https:// URLs")
        request = urllib.request.Request(url, data=body, method=method)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        request.add_header("Accept-Encoding", "identity")
        if auth:
            request.add_unredirected_header("Authorization", auth)
        opener = self._fetch if follow_redirects else self._send
        deadline = time.monotonic() + self.timeout
        try:
            answer = opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:  # a status >= 400 (or an unfollowed 3xx)
            answer = e
        try:
            status = answer.status if hasattr(answer, "status") else answer.code
            found = {k.lower(): v for k, v in answer.headers.items()}
            declared = found.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise TooLarge(f"the answer declares {declared} bytes (limit {limit})")
            data = _read(answer, limit, deadline)
            return Response(status, data, found, answer.geturl())
        finally:
            answer.close()


def _read(answer, limit: int, deadline: float) -> bytes:
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError("the provider's answer took longer than the deadline")
        chunk = answer.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the answer has more than {limit} bytes")
