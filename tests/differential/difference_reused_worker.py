# expect-rewrites: 3
# expect-eventlet-gone: yes
# accept: reused-worker, backpressure, start-order, exit-waits, resolver
"""Pools of one slot, given two tasks in turn: the first task leaves an
attribute on a threading.local, and the second reads it. Each GreenPool
spawn ran on a fresh green thread, which saw nothing, and so did each task
futurist's green executor started while it had a free slot; an executor's
one worker thread runs both tasks, so the second sees what the first left.
The tasks print nothing themselves, so when they start and whether the
spawner waits (the other differences of the same forms) does not show.
They reach the thread-local through functions they call: a pool whose
task reads it directly stays as it is."""
import threading

import eventlet

eventlet.monkey_patch()

import futurist  # noqa: E402

state = threading.local()
seen = []


def set_flag():
    state.flag = "set"


def get_flag():
    return getattr(state, "flag", None)


def leave():
    set_flag()


def read():
    seen.append(get_flag())


pool = eventlet.GreenPool(1)
pool.spawn_n(leave)
pool.spawn_n(read)
pool.waitall()
print("[reused-worker] the second task of a pool sees:", seen.pop())

with futurist.GreenThreadPoolExecutor(max_workers=1) as executor:
    executor.submit(leave).result()
    executor.submit(read).result()
print("[reused-worker] the second task of an executor sees:", seen.pop())
