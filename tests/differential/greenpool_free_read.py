# expect-rewrites: 1
# expect-manual: eventlet.greenpool.GreenPool
# expect-manual: eventlet.patcher.monkey_patch
# accept: backpressure, start-order, reused-worker
"""A pool whose free slots are read stays a GreenPool (an executor has no
such count), and so does monkey_patch(); the rest is rewritten around it."""
import eventlet

eventlet.monkey_patch()


def double(n, out):
    eventlet.sleep(0)
    out.append(2 * n)


out = []
pool = eventlet.GreenPool(3)
pool.spawn_n(double, 1, out)
print("free while one runs:", pool.free())
pool.waitall()
print(out, "free at the end:", pool.free())
