# expect-rewrites: 5
# expect-manual: eventlet.greenthread.spawn
"""Producer and consumer green threads under monkey_patch(): the stdlib queue,
semaphore and sleep are green, so the interleaving is the same."""
import eventlet
eventlet.monkey_patch()

from eventlet import queue  # noqa: E402
from eventlet import semaphore  # noqa: E402

jobs = queue.Queue(2)
printing = semaphore.Semaphore(1)


def say(*args):
    with printing:
        print(*args)


def producer():
    for i in range(5):
        jobs.put(i)
        say("put", i)
    jobs.put(None)


def consumer():
    while True:
        try:
            item = jobs.get(timeout=1)
        except queue.Empty:
            say("starved")
            return
        if item is None:
            return
        say("got", item)
        eventlet.sleep(0)


threads = [eventlet.spawn(producer), eventlet.spawn(consumer)]
for t in threads:
    t.wait()
eventlet.sleep(0.01)
say("done")
