# expect-rewrites: 1
# expect-manual: eventlet.greenpool.GreenPool
# expect-manual: eventlet.patcher.monkey_patch
# accept: backpressure, start-order, reused-worker
"""A pool whose function can return before waitall() stays a GreenPool: on
that path an executor would never be shut down and would keep the program
alive for its task, which eventlet dropped at exit."""
import eventlet

eventlet.monkey_patch()


def work(delay):
    eventlet.sleep(delay)
    print("done", delay)


def run(delays):
    pool = eventlet.GreenPool(1)
    for delay in delays:
        if delay is None:
            return "stopped"
        pool.spawn_n(work, delay)
    pool.waitall()
    return "all done"


print(run([0.3, None]))
