# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: exception-waits, backpressure, start-order, reused-worker, resolver
"""A GreenPool made and waited for in one block, with a call between that
raises: the error reached the caller at once while the green thread had
not run; the with block that now makes the executor lets it out only once
the task has ended."""
import time

import eventlet

eventlet.monkey_patch()

done = []


def work():
    time.sleep(0.2)
    done.append("work")


def check(value):
    if value < 0:
        raise ValueError(value)


def run(value):
    pool = eventlet.GreenPool(2)
    pool.spawn_n(work)
    check(value)
    pool.waitall()


try:
    run(-1)
except ValueError:
    print("[exception-waits] the task had ended when the error arrived:",
          bool(done))
time.sleep(0.4)
print("done")
