# expect-rewrites: 0
# expect-manual: eventlet.timeout.Timeout
"""A Timeout around a green thread's wait() stays: the thread's own
TimeoutError (socket.timeout is one) passes a Timeout's except clause, where
result(timeout=) of a Future raises the same TimeoutError class for both,
and the handler would take the thread's error for the timeout."""
import socket

import eventlet

eventlet.monkey_patch()


def fetch():
    raise socket.timeout("peer too slow")


def wait_for(worker):
    try:
        with eventlet.Timeout(1):
            result = worker.wait()
    except eventlet.Timeout:
        result = "timed out"
    return result


try:
    print(wait_for(eventlet.spawn(fetch)))
except TimeoutError as error:
    print("the thread's own error:", error)
