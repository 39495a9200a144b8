"""``nearzero serve`` turns Nagle's algorithm off on every connection, also on the path
``--workers N`` takes (a listening socket uvicorn binds itself, whose accepted sockets
asyncio leaves with Nagle on: each keep-alive request then waited ~40 ms for the client's
delayed acknowledgement)."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import uvicorn

from nearzero.web.serving import HTTP_PROTOCOL


async def hello(scope, receive, send):  # type: ignore[no-untyped-def]
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_connections_of_a_socket_bound_beforehand_send_without_delay() -> None:
    config = uvicorn.Config(
        hello, host="127.0.0.1", port=0, http=HTTP_PROTOCOL, lifespan="off", log_level="error"
    )
    listener = config.bind_socket()  # what the multi-worker supervisor hands each worker
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        client = http.client.HTTPConnection("127.0.0.1", listener.getsockname()[1], timeout=10)
        for _ in range(2):  # keep-alive: the same connection twice
            client.request("GET", "/")
            answer = client.getresponse()
            assert answer.status == 200 and answer.read() == b"ok"
        (connection,) = server.server_state.connections
        sock = connection.transport.get_extra_info("socket")  # type: ignore[attr-defined]
        nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        client.close()
        assert nodelay != 0
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
