"""The HTTP protocol ``nearzero serve`` runs: uvicorn's h11 protocol with Nagle's algorithm off
on every connection.

With ``--workers N`` uvicorn binds the listening socket itself and leaves its ``proto`` at 0;
accepted sockets inherit it, and asyncio turns ``TCP_NODELAY`` on only for sockets that say
``IPPROTO_TCP``. Nagle then holds each response's body until the client acknowledges its
headers, and the client delays that acknowledgement: every keep-alive request after the
first waited about 40 ms on Linux (measured here: 2 ms → 44 ms for a static file; uvicorn
issue #3149, open). Setting the option on the connection does not depend on how the socket
was made, so the same protocol serves one worker and many.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol that sends each write at once (``TCP_NODELAY``)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


HTTP_PROTOCOL = f"{__name__}:{NoDelayH11Protocol.__name__}"
"""The import string uvicorn's ``http`` setting takes (each worker process imports it)."""
