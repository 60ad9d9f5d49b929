# expect-rewrites: 3
# expect-eventlet-gone: yes
"""eventlet.connect() becomes the same four lines on the stdlib socket:
the family, the local address bound first, and a refused connection's
error all stay as they were."""
import errno
import socket

import eventlet

server = socket.create_server(("127.0.0.1", 0))
port = server.getsockname()[1]

plain = eventlet.connect(("127.0.0.1", port))
peer, _ = server.accept()
print(plain.family == socket.AF_INET, plain.type == socket.SOCK_STREAM,
      peer.getpeername() == plain.getsockname())

bound = eventlet.connect(("127.0.0.1", port), socket.AF_INET, bind=("127.0.0.1", 0))
peer2, _ = server.accept()
print(bound.getsockname()[0], peer2.getpeername() == bound.getsockname())

closed = socket.create_server(("127.0.0.1", 0))
closed_port = closed.getsockname()[1]
closed.close()
try:
    eventlet.connect(("127.0.0.1", closed_port))
except OSError as error:
    print("refused", error.errno == errno.ECONNREFUSED)

for s in (plain, peer, bound, peer2, server):
    s.close()
