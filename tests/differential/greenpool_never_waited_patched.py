# expect-rewrites: 1
# expect-manual: eventlet.greenthread.spawn
# accept: backpressure, start-order, reused-worker, exit-waits
"""A pool never waited for, in a program that stays monkey-patched (a
killed spawn keeps eventlet): the executor's workers are green threads,
and its pending tasks are dropped at exit as the GreenPool's were, so
exit-waits does not show."""
import time

import eventlet

eventlet.monkey_patch()


def job(number):
    time.sleep(0.2)
    print("job", number, "ran")


pool = eventlet.GreenPool(4)
for number in range(2):
    pool.spawn_n(job, number)
eventlet.spawn(print, "killed before it ran").kill()
print("main done")
