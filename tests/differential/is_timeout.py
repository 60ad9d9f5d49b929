# expect-rewrites: 6
# expect-eventlet-gone: yes
"""is_timeout() answers the same for what says it is a timeout, for
TimeoutError and socket.timeout, and for everything else."""
import queue
import socket

import eventlet


class Marked(Exception):
    is_timeout = True


class Unmarked(Exception):
    is_timeout = 0


print(eventlet.is_timeout(Marked()), eventlet.is_timeout(Unmarked()))
print(eventlet.is_timeout(TimeoutError()), eventlet.is_timeout(socket.timeout()))
print(eventlet.is_timeout(queue.Empty()), eventlet.is_timeout(None))
