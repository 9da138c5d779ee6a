"""The server's outer shell: host check, token, request-size cap, security headers.

One pure ASGI middleware, so that a rejected request never reaches the routes (and a body
past the cap is never read in full).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = ["LOOPBACK_HOSTS", "Guard"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Host names a browser uses for this machine; the only ones accepted without a token
#: (a DNS-rebinding page cannot make a browser send them). ``testserver`` is the host of
#: in-process test clients.
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1", "testserver")

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", _CSP.encode()),
)


def _host_name(raw: str) -> str:
    """``host[:port]`` -> host, for names, IPv4 and bracketed IPv6 addresses."""
    raw = raw.strip().lower()
    if raw.startswith("["):
        return raw[1 : raw.find("]")] if "]" in raw else raw
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


class Guard:
    """ASGI middleware that enforces the server's limits and adds security headers.

    Parameters
    ----------
    app : ASGI application
        The wrapped application.
    token : str, optional
        When given, every request under ``/api/`` must carry ``Authorization: Bearer
        <token>``; when not, only loopback ``Host`` headers are accepted.
    max_body_bytes : int
        Largest request body accepted; larger bodies get 413 before they are read in full.
    allowed_hosts : iterable of str, optional
        ``Host`` names accepted without a token (default :data:`LOOPBACK_HOSTS`).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body_bytes: int,
        allowed_hosts: Iterable[str] | None = None,
    ) -> None:
        self.app = app
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.allowed_hosts = frozenset(
            h.lower() for h in (allowed_hosts if allowed_hosts is not None else LOOPBACK_HOSTS)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope.get("path", "")
        send = self._with_security_headers(send, api=path.startswith("/api/"))

        if self.token is None and _host_name(headers.get("host", "")) not in self.allowed_hosts:
            await _error(
                send,
                400,
                "invalid_host",
                "this server answers only requests addressed to "
                "127.0.0.1 or localhost; start it with a token to serve other addresses",
                "Host",
            )
            return
        if self.token is not None and path.startswith("/api/") and not self._authorized(headers):
            await _error(
                send,
                401,
                "unauthorized",
                "this server needs a token: send the header "
                "'Authorization: Bearer <token>' (the dashboard asks for it)",
                "Authorization",
                extra_headers=((b"www-authenticate", b"Bearer"),),
            )
            return
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                await _error(
                    send, 400, "invalid_request", "Content-Length is not a number", "Content-Length"
                )
                return
            if int(length) > self.max_body_bytes:
                await self._too_large(send)
                return
        body, ok = await self._read_body(receive)
        if not ok:
            await self._too_large(send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _authorized(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        scheme, _, given = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(
            given.strip().encode(), self.token.encode()
        )

    async def _read_body(self, receive: Receive) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk: bytes = message.get("body", b"")
            total += len(chunk)
            if total > self.max_body_bytes:
                return b"", False
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks), True

    async def _too_large(self, send: Send) -> None:
        await _error(
            send,
            413,
            "request_too_large",
            f"the request body is larger than the server's limit of {self.max_body_bytes} "
            "bytes; send fewer or smaller scenarios or series",
            "body",
        )

    @staticmethod
    def _with_security_headers(send: Send, *, api: bool) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(_SECURITY_HEADERS)
                if api:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return wrapped


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # the client's disconnect, when it comes

    return replay


async def _error(
    send: Send,
    status: int,
    code: str,
    message: str,
    field: str,
    extra_headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    body = json.dumps(
        {"error": code, "message": message, "errors": [{"field": field, "message": message}]}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *extra_headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
