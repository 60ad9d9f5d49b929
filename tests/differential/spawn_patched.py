# expect-rewrites: 4
# expect-manual: eventlet.greenpool.GreenPool
"""Spawns whose handles are dropped, under monkey_patch(): the patched
_thread.start_new_thread is eventlet's spawn_n, so the spawned functions
still start only when the spawner yields, in order, and an exception still
goes to the hub (stderr) without stopping the others."""
import eventlet
eventlet.monkey_patch()

import time  # noqa: E402

order = []


def work(name, steps=1):
    order.append("start " + name)
    for _ in range(steps):
        time.sleep(0)
    order.append("end " + name)


def broken():
    order.append("broken")
    raise RuntimeError("boom")


eventlet.spawn_n(work, "a")
eventlet.spawn(work, "b", steps=2)
eventlet.spawn_n(broken)
eventlet.spawn(work, name="c")
order.append("spawner goes on")
# A pool whose running() is read keeps eventlet (and monkey_patch) here.
pool = eventlet.GreenPool()
pool.waitall()
print("running", pool.running())
time.sleep(0.05)
print(order)
