# expect-rewrites: 1
# expect-manual: eventlet.greenpool.GreenPool
# expect-manual: eventlet.patcher.monkey_patch
# accept: backpressure, start-order, reused-worker
"""A pool made on each round of a loop and waited for once after it stays a
GreenPool: waitall() ends only the last pool, and an executor that is never
shut down would keep the program alive for the earlier pool's task, which
eventlet dropped at exit."""
import eventlet

eventlet.monkey_patch()


def work(delay):
    eventlet.sleep(delay)
    print("done", delay)


def run(delays):
    for delay in delays:
        pool = eventlet.GreenPool(1)
        pool.spawn_n(work, delay)
    pool.waitall()
    print("waited")


run([0.3, 0.01])
