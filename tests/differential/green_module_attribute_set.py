# expect-rewrites: 0
# expect-manual: eventlet.green.ssl
"""An attribute set on a green module is read by eventlet: designate sets
eventlet.green.ssl's timeout_exc (the exception its sockets raise on a
timeout). The old tool made the import `import ssl`: the assignment then
went to the stdlib module, which never reads it, and the handshake timeout
raised the stdlib's TimeoutError instead of the class set."""
import socket

from eventlet.green import ssl


class HandshakeTimeout(socket.timeout):
    pass


ssl.timeout_exc = HandshakeTimeout

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
tls = context.wrap_socket(client, do_handshake_on_connect=False)
tls.settimeout(0.05)
try:
    tls.do_handshake()  # the server never answers
except socket.timeout as exc:
    print("timed out with", type(exc).__name__)
tls.close()
server.close()
