# expect-rewrites: 2
# expect-manual: eventlet.greenthread.spawn
# accept: start-order, exit-waits, reused-worker
"""futurist's green executor kept on an attribute, in a program that stays
monkey-patched (a killed green thread keeps eventlet): the threaded
executor's workers are green threads, so results and exceptions come back
through the same futures, its size bounds how many run at once, and its
owner's shutdown waits for the work. When the work starts, and whether
work still running at exit holds the process, are the start-order and
exit-waits differences (their own programs show them)."""
import threading

import eventlet
eventlet.monkey_patch()

import futurist  # noqa: E402

lock = threading.Lock()
running = [0, 0]


def migrate(n):
    with lock:
        running[0] += 1
        running[1] = max(running)
    eventlet.sleep(0.005 * (n % 3))
    with lock:
        running[0] -= 1
    if n == 2:
        raise RuntimeError("migration %d failed" % n)
    return "migrated %d" % n


class Manager:
    def __init__(self):
        self._executor = futurist.GreenThreadPoolExecutor(max_workers=2)

    def migrate_all(self, count):
        futures = [self._executor.submit(migrate, n) for n in range(count)]
        results = []
        for future in futures:
            try:
                results.append(future.result())
            except RuntimeError as error:
                results.append("raised: %s" % error)
        return results

    def stop(self):
        self._executor.shutdown(wait=True)


manager = Manager()
print(manager.migrate_all(5))
manager.stop()
print("at most", running[1], "at once")
eventlet.spawn(print, "never runs").kill()
