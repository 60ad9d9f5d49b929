# expect-rewrites: 2
# expect-manual: eventlet.greenpool.GreenPool
# expect-manual: eventlet.patcher.monkey_patch
# accept: backpressure, start-order, reused-worker
"""A pool that a nested function spawns into stays a GreenPool: the
function may run after waitall(), which a GreenPool allows and an executor
shut down in its place would refuse."""
import eventlet

eventlet.monkey_patch()


def double(n, out):
    eventlet.sleep(0)
    out.append(2 * n)


def with_a_callback(items):
    out = []
    pool = eventlet.GreenPool(2)

    def more(n):
        pool.spawn_n(double, n, out)

    for n in items:
        more(n)
    pool.waitall()
    more(10)
    eventlet.sleep(0.05)
    return sorted(out)


print(with_a_callback([1, 2]))
