# expect-rewrites: 8
# expect-eventlet-gone: yes
"""shutdown_safe() keeps its exact behaviour: connected, closed and
unconnected sockets, an object whose shutdown() takes no argument, an
error made with its code alone (errno None, the code in args), and errors
that must still propagate."""
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


class Raising:
    def __init__(self, *args):
        self.args = args

    def shutdown(self, how):
        raise OSError(*self.args)


print(greenio.shutdown_safe(NoArgument()))
try:
    greenio.shutdown_safe(Refusing())
except OSError as error:
    print("propagated", error.errno == errno.EPERM)
print(greenio.shutdown_safe(Raising(errno.ENOTCONN)))
for args in [("not connected",), ()]:
    try:
        greenio.shutdown_safe(Raising(*args))
    except OSError as error:
        print("propagated", error.args)
