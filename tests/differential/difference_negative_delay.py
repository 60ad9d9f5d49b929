# expect-rewrites: 1
# expect-eventlet-gone: yes
# accept: negative-delay
"""A delay computed from a deadline that has already passed: eventlet's
sleep returns at once, the rewritten time.sleep raises ValueError."""
import time

import eventlet


def wait_until(deadline):
    eventlet.sleep(deadline - time.monotonic())


try:
    wait_until(time.monotonic() - 1)
    print("[negative-delay] returned at once")
except ValueError as error:
    print("[negative-delay] raised ValueError:", error)
print("done")
