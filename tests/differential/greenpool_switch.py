# expect-rewrites: 4
# expect-eventlet-gone: yes
# accept: backpressure, start-order, reused-worker, resolver
"""A GreenPool that is the last eventlet use goes with monkey_patch(): the
tasks run, a task's exception is printed (to stderr, as eventlet's pool
printed it) and does not stop the others, the pool bounds how many run at
once, and waitall() (now shutdown) returns only when all are done. Each
pool is waited for in a finally, so no exception skips the shutdown: the
rewrite has no exit-waits."""
import sys
import threading

import eventlet

eventlet.monkey_patch()


class Stderr:
    """Keeps what is written to stderr, to print the exceptions' last lines."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def errors(self):
        return sorted(line for line in self.text.splitlines()
                      if line.startswith("ValueError"))


sys.stderr = captured = Stderr()
lock = threading.Lock()
running = [0, 0]


def square(n, out):
    with lock:
        running[0] += 1
        running[1] = max(running)
    eventlet.sleep(0.01 * (4 - n % 4))
    with lock:
        running[0] -= 1
        out.append(n * n)


def fail(n):
    raise ValueError(n)


def run(items):
    out = []
    pool = eventlet.GreenPool(3)
    try:
        for n in items:
            pool.spawn_n(square, n, out)
        pool.spawn(fail, 7)
        pool.spawn_n(fail, 8)
    finally:
        pool.waitall()
    return sorted(out)


print(run(range(10)))
print("at most", running[1], "at once")
print(captured.errors())

result = []
single = eventlet.GreenPool()
try:
    single.spawn(square, 5, result)
finally:
    single.waitall()
print(result)
