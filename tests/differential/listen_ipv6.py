# expect-rewrites: 1
# expect-manual: eventlet.convenience.listen
"""An IPv6 listener stays: eventlet leaves it dual-stack (the system's
default), where socket.create_server would make it IPv6-only and refuse
IPv4 clients. The IPv4 one named by its family is rewritten."""
import socket

import eventlet


def serves_ipv4_clients(name, server):
    port = server.getsockname()[1]
    try:
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as e:
        print(name, "refused", type(e).__name__)
    else:
        conn, _ = server.accept()
        print(name, "accepted")
        conn.close()
        client.close()
    server.close()


serves_ipv4_clients("ipv4", eventlet.listen(("127.0.0.1", 0), socket.AF_INET))
serves_ipv4_clients("dual-stack", eventlet.listen(("::", 0), socket.AF_INET6))
