# expect-rewrites: 4
# expect-manual: eventlet.greenpool.GreenPool
# accept: start-order
"""Spawns whose handles are dropped, under monkey_patch(), become
threading.Thread(..., daemon=True).start(): every function still runs, and
an exception still goes to stderr without stopping the others. Only the
order in which they start differs (start-order)."""
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
print("[start-order]", order)
print(sorted(order))
