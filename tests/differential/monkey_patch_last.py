# expect-rewrites: 1
# expect-eventlet-gone: yes
"""monkey_patch() goes last: a program left with only the stdlib prints the
same on native threads, and its imports lose their E402 markers. It turned
greendns off before eventlet loaded, so its lookups keep their resolver:
the switch is exact."""
import os

os.environ['EVENTLET_NO_GREENDNS'] = 'yes'

import eventlet  # noqa: E402
eventlet.monkey_patch()

import queue  # noqa: E402
import threading  # noqa: E402

jobs = queue.Queue()
done = []
lock = threading.Lock()


def worker():
    while True:
        n = jobs.get()
        if n is None:
            return
        with lock:
            done.append(n * 2)


threads = [threading.Thread(target=worker) for _ in range(3)]
for t in threads:
    t.start()
for n in range(10):
    jobs.put(n)
for _ in threads:
    jobs.put(None)
for t in threads:
    t.join()
print(sorted(done))
