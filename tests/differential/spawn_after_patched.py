# expect-rewrites: 5
# expect-manual: eventlet.greenthread.spawn_after
# accept: start-order,exit-waits
"""spawn_after() under monkey_patch(): delayed calls still run after the
spawner yields, in the order their delays fall due (a call already due
with spawns made after it), wait() (now result()) still returns the value
or raises the exception, and a killed timer keeps eventlet in the program.
The spawn() becomes a threading.Thread, whose start() lets the calls
already due run before the spawner goes on (start-order)."""
import eventlet
eventlet.monkey_patch()

import time  # noqa: E402

order = []


def note(name):
    order.append(name)
    return name.upper()


late = eventlet.spawn_after(0.06, note, "late")
eventlet.spawn_after(0.02, note, name="early")
now = eventlet.spawn_after(0, note, "now")
eventlet.spawn(note, "spawned")
order.append("spawner goes on")
print(now.wait(), now.dead, late.dead)
print(late.wait(), late.dead)
failing = eventlet.spawn_after(0.01, int, "not a number")
try:
    failing.wait()
except ValueError as error:
    print("raised", type(error).__name__)
never = eventlet.spawn_after(10, note, "never")
never.kill()
time.sleep(0.05)
print("[start-order]", order)
print(sorted(order))
