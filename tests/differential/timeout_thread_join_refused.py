# expect-rewrites: 0
# expect-manual: eventlet.timeout.Timeout
"""A Timeout around one join() of a green thread stays: when it interrupts
the join, threading's join code releases the thread's state lock and marks
the thread stopped though it runs on (is_alive() is False, a second join
returns at once). join(timeout=) leaves it alive, so no rewrite keeps
that."""
import eventlet
from eventlet.green import threading


def run_bounded(seconds):
    worker = threading.Thread(target=eventlet.sleep, args=(seconds,))
    worker.start()
    try:
        with eventlet.Timeout(0.1):
            worker.join()
    except eventlet.Timeout:
        return "still running: %s" % worker.is_alive()
    return "joined: %s" % worker.is_alive()


print(run_bounded(0.5))
print(run_bounded(0))
