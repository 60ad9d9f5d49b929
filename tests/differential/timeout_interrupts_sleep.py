# expect-rewrites: 0
# expect-manual: eventlet.greenthread.sleep
# expect-manual: eventlet.timeout.Timeout
"""A Timeout interrupts eventlet.sleep through the hub; time.sleep could not
be interrupted, so with no green thread at all the sleep must still stay."""
import eventlet

try:
    with eventlet.Timeout(0.01):
        eventlet.sleep(5)
    print("slept")
except eventlet.Timeout:
    print("interrupted")
