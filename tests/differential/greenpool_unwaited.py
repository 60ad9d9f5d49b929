# expect-rewrites: 0
# expect-manual: eventlet.greenpool.GreenPool
# expect-manual: eventlet.patcher.monkey_patch
# accept: backpressure, start-order, reused-worker
"""A pool that is never waited for stays a GreenPool: its pending green
thread is dropped when the program ends, where an executor's worker would
keep the program alive to run it."""
import eventlet

eventlet.monkey_patch()

pool = eventlet.GreenPool(2)
pool.spawn_n(print, "the task ran")
print("the program ends")
