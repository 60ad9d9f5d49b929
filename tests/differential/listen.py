# expect-rewrites: 2
# expect-eventlet-gone: yes
"""Listening sockets keep their options and accept connections."""
import socket

import eventlet


def describe(name, server):
    opt = lambda o: bool(server.getsockopt(socket.SOL_SOCKET, o))  # noqa: E731
    print(name, server.family == socket.AF_INET, opt(socket.SO_REUSEADDR), opt(socket.SO_REUSEPORT))
    client = socket.create_connection(server.getsockname()[:2])
    conn, _ = server.accept()
    conn.sendall(b"hello")
    print(name, client.recv(5))
    for s in (client, conn, server):
        s.close()


describe("fixed", eventlet.listen(("127.0.0.1", 47811)))
describe("any", eventlet.listen(("127.0.0.1", 0)))
