# expect-rewrites: 0
# expect-manual: eventlet.patcher.monkey_patch
# expect-manual: eventlet.greenthread.spawn
"""monkey_patch() stays while anything else uses eventlet (here a spawn)."""
import eventlet
eventlet.monkey_patch()

import threading  # noqa: E402

seen = []
lock = threading.Lock()


def work(n):
    with lock:
        seen.append(n)
    return n * 3


threads = [eventlet.spawn(work, n) for n in range(4)]
print([t.wait() for t in threads], sorted(seen))
threads[0].kill()  # a list used by index: the spawn stays
