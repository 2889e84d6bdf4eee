"""A browser for the portal's unit tests: Chalice's test client with a cookie jar, and a
staff session without the hosted UI (the cookie the sign-in callback sets)."""

import re
from urllib.parse import urlencode

from tests.unit.api_helpers import token

HOST = "127.0.0.1:8000"


class Browser:
    """The test client with a cookie jar, as a browser on the local stack (plain HTTP to
    127.0.0.1, so cookies without the __Host- prefix)."""

    def __init__(self, client):
        self.client = client
        self.cookies: dict[str, str] = {}
        self.last = None

    def _headers(self, extra=None):
        headers = {"Host": HOST, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def _keep(self, response):
        raw = response.headers.get("Set-Cookie") or []
        for header in [raw] if isinstance(raw, str) else raw:
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        self.last = response
        return response

    def get(self, path, headers=None):
        return self._keep(self.client.http.get(path, headers=self._headers(headers)))

    def post(self, path, fields, headers=None, csrf=True):
        fields = dict(fields)
        if csrf and "csrf" not in fields:
            fields["csrf"] = self.csrf()
        hdrs = self._headers(
            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        )
        return self._keep(self.client.http.post(path, headers=hdrs, body=urlencode(fields)))

    def csrf(self) -> str:
        """The token the last page carried (a page with a form), else a fresh page's."""
        found = self.last and re.search(r'name="csrf" value="([0-9a-f]+)"', self.last.body.decode())
        if not found or "sp_csrf" not in self.cookies:
            self.get("/lacak")
            found = re.search(r'name="csrf" value="([0-9a-f]+)"', self.last.body.decode())
        return found.group(1)

    def sign_in_as(
        self, role: str, agency_id: str | None = None, username: str | None = None, **claims
    ):
        """The session cookie the sign-in callback sets, holding an ID token for one role."""
        self.cookies["sp_staff"] = token(
            **{
                "cognito:groups": [role],
                "custom:agency_id": agency_id,
                "cognito:username": username or f"{role}.{agency_id or 'platform'}",
                **claims,
            }
        )
        return self
