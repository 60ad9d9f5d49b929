# expect-rewrites: 5
# expect-manual: eventlet.greenthread.spawn
# accept: start-order
"""Spawns whose handles are kept, under monkey_patch(): wait() (now
result()) still returns its value or raises its exception, every spawned
function runs to its end, and handles in a list, on an attribute or waited
at once behave as before. When each thread starts is the start-order
difference (difference_start_order.py). A killed handle keeps eventlet
(and monkey_patch) in the program."""
import eventlet
eventlet.monkey_patch()

import time  # noqa: E402

order = []


def work(name, steps=1):
    order.append("start " + name)
    for _ in range(steps):
        time.sleep(0)
    order.append("end " + name)
    return name.upper()


def broken(message):
    order.append("broken")
    raise ValueError(message)


a = eventlet.spawn(work, "a", steps=2)
b = eventlet.spawn(broken, "boom")
order.append("spawner goes on")
print(a.wait(), a.dead)
try:
    b.wait()
except ValueError as error:
    print("b raised", error)
print(eventlet.spawn(work, name="now").wait())

jobs = [eventlet.spawn(work, str(n), steps=n) for n in range(3)]
order.append("all spawned")
print([job.wait() for job in jobs])


class Service:
    def start(self):
        self._thread = eventlet.spawn(work, "service")

    def stop(self):
        return self._thread.wait()


service = Service()
service.start()
print(service.stop())

sleeper = eventlet.spawn(time.sleep, 10)
sleeper.kill()
print(sorted(order))
