# expect-rewrites: 6
# expect-eventlet-gone: yes
"""shutdown_safe() keeps its exact behaviour: connected, closed and
unconnected sockets, an object whose shutdown() takes no argument, and an
error that must still propagate."""
import errno
import socket

from eventlet import greenio

a, b = socket.socketpair()
print(greenio.shutdown_safe(a), b.recv(1))
print(greenio.shutdown_safe(a))

closed = socket.socket()
closed.close()
print(greenio.shutdown_safe(closed))

unconnected = socket.socket()
print(greenio.shutdown_safe(unconnected))
unconnected.close()


class NoArgument:
    def shutdown(self):
        return "shut without an argument"


class Refusing:
    def shutdown(self, how):
        raise OSError(errno.EPERM, "not allowed")


print(greenio.shutdown_safe(NoArgument()))
try:
    greenio.shutdown_safe(Refusing())
except OSError as error:
    print("propagated", error.errno == errno.EPERM)
