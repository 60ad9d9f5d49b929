# expect-rewrites: 1
# expect-manual: eventlet.greenpool.GreenPool
# expect-manual: eventlet.patcher.monkey_patch
# accept: backpressure, start-order, reused-worker
"""A pool waited for in a loop that spawns into it again stays a GreenPool:
shutdown() in its place would end the executor after the first batch."""
import eventlet

eventlet.monkey_patch()


def double(n, out):
    eventlet.sleep(0)
    out.append(2 * n)


def in_batches(batches):
    out = []
    pool = eventlet.GreenPool(2)
    for batch in batches:
        for n in batch:
            pool.spawn_n(double, n, out)
        pool.waitall()
        print("batch done:", sorted(out))


in_batches([[1, 2, 3], [4, 5]])
