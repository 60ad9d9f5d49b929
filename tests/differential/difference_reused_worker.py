# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: reused-worker, backpressure, start-order
"""A pool of one slot, spawned into twice: the first task leaves an
attribute on a threading.local, and the second reads it. Each GreenPool
spawn ran on a fresh green thread, which saw nothing; an executor's one
worker runs both tasks, so the second sees what the first left. The tasks
print nothing themselves, so when they start and whether the spawner waits
(the other differences of the same form) does not show."""
import threading

import eventlet

eventlet.monkey_patch()

state = threading.local()
seen = []


def leave():
    state.flag = "set"


def read():
    seen.append(getattr(state, "flag", None))


pool = eventlet.GreenPool(1)
pool.spawn_n(leave)
pool.spawn_n(read)
pool.waitall()
print("[reused-worker] the second task sees:", seen[0])
