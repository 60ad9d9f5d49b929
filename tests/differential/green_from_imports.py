# expect-rewrites: 7
# expect-eventlet-gone: yes
"""Names imported from green modules keep working once they are imported
from the stdlib modules instead: a member (socketpair, under an alias too),
a module from a package (urllib's parse) and a module of its own (time)."""
import eventlet
from eventlet.green.socket import socketpair, AF_UNIX as FAMILY
from eventlet.green.urllib import parse
from eventlet.green import time

eventlet.monkey_patch()

left, right = socketpair(FAMILY)
left.sendall(parse.quote("a b/c").encode())
print(right.recv(64).decode())
left.close()
right.close()
started = time.monotonic()
time.sleep(0.01)
print(time.monotonic() - started >= 0.01)
