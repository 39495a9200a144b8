"""Request limits and origin checks as ASGI middleware: one mechanism for every route.

- :class:`BodyLimit` refuses a request body over the installation's cap with 413 as it
  streams in (by its Content-Length at once, or when the bytes read pass the cap), so a
  150 MB upload is never read whole before a route refuses it.
- :class:`OriginCheck` refuses a state-changing request (POST, PUT, PATCH, DELETE) whose
  browser-sent ``Origin`` (or, without one, ``Referer``) names another site than the one
  it was sent to, beside the CSRF token every form carries. Requests without either header
  (partners' servers, the command line) pass: they carry no ambient cookies to abuse.
- :class:`SecurityHeaders` adds the security headers every answer carries.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a request body over ``max_bytes``; paths under ``exempt`` keep their own cap."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt: tuple[str, ...] = ()) -> None:
        self.app, self.max_bytes, self.exempt = app, max_bytes, exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        message = (
            f"请求内容超过上限 {self.max_bytes // (1024 * 1024)} MB "
            f"(request body over {self.max_bytes} bytes)"
        )
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await _plain(send, 413, message)
                return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            # Past the cap: answer 413 now and tell the app the client went away, so it stops
            # reading (whatever it then answers is dropped).
            nonlocal seen, started, refused
            if refused:
                return {"type": "http.disconnect"}
            item = await receive()
            if item["type"] == "http.request":
                seen += len(item.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    if not started:
                        started = True
                        await _plain(send, 413, message)
                    return {"type": "http.disconnect"}
            return item

        async def watched(item: Message) -> None:
            nonlocal started
            if refused:
                return
            if item["type"] == "http.response.start":
                started = True
            await send(item)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not refused:
                raise


def _netloc(url: str) -> str | None:
    parts = urlsplit(url)
    return parts.netloc.lower() if parts.scheme in ("http", "https") and parts.netloc else None


class SecurityHeaders:
    """The headers every answer carries unless its route set its own: the content security
    policy, no MIME sniffing, same-origin referrers, and ``no-store`` outside ``/static/``
    (pages show personal data, keys and tokens: never kept by a browser or proxy).

    Plain ASGI: it edits the response's start message as it passes, where a
    ``BaseHTTPMiddleware`` ran each request in a task group with its own body stream.
    """

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.defaults = (
            (b"content-security-policy", csp.encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = not scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(d for d in self.defaults if d[0] not in present)
                if page and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class OriginCheck:
    """403 for a state-changing request a browser sent from another site."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            sent_from = headers.get("origin") or headers.get("referer")
            if sent_from is not None:
                host = headers.get("host", "").lower()
                if _netloc(sent_from) != host:
                    await _plain(send, 403, "来源不符，请求被拒绝 (cross-origin request refused)")
                    return
        await self.app(scope, receive, send)
