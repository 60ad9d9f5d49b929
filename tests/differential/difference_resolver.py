# expect-rewrites: 4
# expect-eventlet-gone: yes
# accept: resolver
"""A program with no green threads looks a host name up through eventlet's
green socket, which asks greendns; the stdlib socket that replaces it asks
the system resolver, which reads the short form 127.1 as 127.0.0.1 where
greendns found no such name. A name both resolve alike stays the same."""
from eventlet.green import socket


def addresses(host):
    try:
        found = socket.getaddrinfo(host, 80, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror:
        return "no address"
    return sorted({address[4][0] for address in found})


print("127.0.0.1:", addresses("127.0.0.1"))
print("[resolver] 127.1:", addresses("127.1"))
print("done")
