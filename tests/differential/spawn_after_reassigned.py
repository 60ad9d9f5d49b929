# expect-rewrites: 0
# expect-manual: eventlet.greenthread.spawn_after
# accept: exit-waits
"""A test harness that assigns its own function to eventlet.spawn_after, to
run timers on simulated time (trove's event simulator): code that calls
eventlet.spawn_after runs the harness's function, which a threading.Timer
would escape (it would fire in real time, after the harness has moved on)."""
import eventlet
eventlet.monkey_patch()

pending = []


def fake_spawn_after(seconds, func, *args):
    pending.append((seconds, func, args))


eventlet.spawn_after = fake_spawn_after


def report():
    print("reported")


eventlet.spawn_after(0.5, report)
print("pending:", len(pending))
for seconds, func, args in sorted(pending, key=lambda p: p[0]):
    func(*args)
