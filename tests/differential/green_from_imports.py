# expect-rewrites: 8
# expect-eventlet-gone: yes
# accept: module-copy, resolver
"""Names imported from green modules keep working once they are imported
from the stdlib modules instead: a member of a module monkey_patch() leaves
alone (http.client's responses, under an alias), a module from a package
(urllib's parse) and a module of its own (time). Members of a module it
patches in place (socket's) become module references, looked up when used."""
import eventlet
from eventlet.green.http.client import responses as REASONS
from eventlet.green.socket import socketpair, AF_UNIX as FAMILY
from eventlet.green.urllib import parse
from eventlet.green import time

eventlet.monkey_patch()

left, right = socketpair(FAMILY)
left.sendall(parse.quote("a b/c").encode())
print(right.recv(64).decode(), REASONS[404])
left.close()
right.close()
started = time.monotonic()
time.sleep(0.01)
print(time.monotonic() - started >= 0.01)
