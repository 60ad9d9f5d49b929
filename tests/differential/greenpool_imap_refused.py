# expect-rewrites: 0
# expect-manual: eventlet.greenpool.GreenPool
# accept: backpressure, start-order, reused-worker
"""imap runs its calls in a pool of its own, fed only as fast as the
results are read: of six calls, those whose results are never read past
the pool's look-ahead do not run. An executor's map (or submitting every
call) would run them all, so the pool stays, with monkey_patch()."""
import threading

import eventlet

eventlet.monkey_patch()

ran = []
ran_lock = threading.Lock()


def square(n):
    with ran_lock:
        ran.append(n)
    return n * n


def run():
    pool = eventlet.GreenPool(2)
    try:
        results = pool.imap(square, [0, 1, 2, 3, 4, 5])
        print(next(results), next(results))
    finally:
        pool.waitall()
    print("ran", sorted(ran))


run()
