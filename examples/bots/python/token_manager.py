"""A bot's side of authgate's service tokens, in the standard library only (urllib).

A service token (``agst_...``) is a long-lived secret; the bot exchanges it at the gateway for short access tokens
and sends those on its calls. ``TokenManager`` keeps one access token, exchanges again 5 minutes before it expires
(or halfway through a token that lives less than 10 minutes, so Keycloak's default 5-minute tokens are not exchanged
before every call), and ``request()`` exchanges once and retries once when a call is answered 401.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping, Optional

EXCHANGE_PATH = "/api/auth/service-token/refresh"
CURRENT_PATH = "/api/auth/service-tokens/current"
# The exchange's answers that mean the service token itself is dead: no retry can mend them.
TOKEN_REFUSED = {"service_token_invalid", "service_token_expired"}


class AuthgateError(Exception):
    """The gateway refused or failed: ``code`` is its contract's error code (``network_error`` without an answer)."""

    def __init__(self, code: str, message: str, status: int = 0, request_id: Optional[str] = None):
        super().__init__(f"{message} ({code}{f', HTTP {status}' if status else ''})")
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id


class ServiceTokenRejected(AuthgateError):
    """The service token is revoked, unknown, expired or its provider session ended: create a new one.

    Only this means the token is dead. Any other AuthgateError from an exchange (the identity provider down, 502,
    503, 504) is passing: keep the token and try again later.
    """


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


class TokenManager:
    def __init__(self, api_url: str, service_token: str, refresh_skew_seconds: float = 300, timeout: float = 10):
        # The gateway's origin; the seed's form, ending in /api, is accepted too.
        base = api_url.rstrip("/")
        self.api_url = base[: -len("/api")] if base.endswith("/api") else base
        self.service_token = service_token
        self.refresh_skew_seconds = refresh_skew_seconds
        self.timeout = timeout
        self.access_token: Optional[str] = None
        self._renew_at = 0.0
        self._lock = threading.Lock()

    def get_access_token(self) -> str:
        """A valid access token, exchanged for a new one when it is missing or close to expiry."""
        with self._lock:
            if self.access_token is None or time.monotonic() >= self._renew_at:
                self._refresh_access_token()
            assert self.access_token is not None
            return self.access_token

    def request(self, method: str, path: str, body: Any = None, headers: Optional[Mapping[str, str]] = None) -> Response:
        """Calls ``path`` with the access token; on a 401, exchanges once and retries once. Any status comes back."""
        sent = self.get_access_token()
        response = self._send(method, path, body, headers, sent)
        if response.status != 401:
            return response
        with self._lock:
            # Another thread may have exchanged already while this call was refused.
            if self.access_token == sent:
                self._refresh_access_token()
            token = self.access_token
        assert token is not None
        return self._send(method, path, body, headers, token)

    def token_info(self) -> dict:
        """The service token's card: name, owner, expires_at, days_left (None when eternal), last_used_at."""
        response = self._call("GET", CURRENT_PATH, None, {"Authorization": f"Bearer {self.service_token}"})
        if response.status != 200:
            raise _error(response)
        return response.json()["service_token"]

    def _refresh_access_token(self) -> None:
        sent_at = time.monotonic()
        # X-CSRF: a gateway in session mode refuses a POST without it; token mode ignores it.
        headers = {"Authorization": f"Bearer {self.service_token}", "X-CSRF": "1"}
        response = self._call("POST", EXCHANGE_PATH, None, headers)
        if response.status != 200:
            self.access_token = None
            raise _error(response)
        data = response.json()
        lifetime = float(data.get("expires_in", 900))
        self.access_token = data["access_token"]
        self._renew_at = sent_at + lifetime - min(self.refresh_skew_seconds, lifetime / 2)

    def _send(self, method, path, body, headers, token) -> Response:
        return self._call(method, path, body, {**(headers or {}), "Authorization": f"Bearer {token}"})

    def _call(self, method: str, path: str, body: Any, headers: Mapping[str, str]) -> Response:
        data = None if body is None else json.dumps(body).encode("utf-8")
        all_headers = {"Accept": "application/json", **headers}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.api_url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as refused:
            return Response(refused.code, dict(refused.headers), refused.read())
        except (urllib.error.URLError, TimeoutError, ConnectionError) as unreachable:
            raise AuthgateError("network_error", f"The gateway could not be reached: {unreachable}") from unreachable


def _error(response: Response) -> AuthgateError:
    try:
        body = response.json() or {}
    except ValueError:
        body = {}
    code = body.get("error") or ("internal_error" if response.status >= 500 else "invalid_request")
    message = body.get("message") or f"The gateway answered {response.status}"
    request_id = response.headers.get("X-Request-Id") or response.headers.get("x-request-id")
    kind = ServiceTokenRejected if code in TOKEN_REFUSED else AuthgateError
    return kind(code, message, response.status, request_id)
