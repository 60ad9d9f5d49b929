# expect-rewrites: 5
# expect-eventlet-gone: yes
# accept: start-order, resolver
"""Once every spawn's handle is followed and rewritten, monkey_patch() goes
too and the program runs on native threads: results and exceptions still
come back through result() as they came through wait(), keyword arguments
reach the function, and an unfinished thread does not keep the program
alive, as a green thread did not."""
import eventlet
eventlet.monkey_patch()

import threading  # noqa: E402

release = threading.Event()


def add(a, b=0):
    return a + b


def fail():
    raise KeyError("missing")


total = eventlet.spawn(add, 2, b=3)
failing = eventlet.spawn(fail)
squares = [eventlet.spawn(add, n, b=n * n) for n in range(4)]
print(total.wait())
try:
    failing.wait()
except KeyError as error:
    print("raised", repr(error), failing.dead)
print([job.wait() for job in squares])
stuck = eventlet.spawn(release.wait)
print("stuck done:", stuck.dead)
