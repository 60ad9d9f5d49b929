# expect-rewrites: 1
# expect-manual: eventlet.greenpool.GreenPool
# expect-manual: eventlet.patcher.monkey_patch
# accept: backpressure, start-order, reused-worker
"""A pool waited for on some paths only stays a GreenPool: on the others an
executor would never be shut down and would keep the program alive for its
task, which eventlet dropped at exit."""
import eventlet

eventlet.monkey_patch()


def work(delay):
    eventlet.sleep(delay)
    print("done", delay)


def run(wait):
    pool = eventlet.GreenPool(1)
    pool.spawn_n(work, 0.3)
    if wait:
        pool.waitall()
    print("returned")


run(False)
