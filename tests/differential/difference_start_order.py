# expect-rewrites: 3
# expect-eventlet-gone: yes
# accept: start-order, resolver
"""A thread started by spawn_n, in a monkey-patched program whose spawner
keeps the CPU for a while before it yields: the green thread runs only at
that yield, the rewritten threading.Thread as soon as it is started."""
import time

import eventlet

eventlet.monkey_patch()

order = []


def child():
    order.append("child")


eventlet.spawn_n(child)
deadline = time.monotonic() + 0.2
while time.monotonic() < deadline:
    pass
order.append("spawner")
eventlet.sleep(0.1)
print("[start-order] first to run:", order[0])
print("both ran:", sorted(order))
