# expect-rewrites: 5
# expect-eventlet-gone: yes
# accept: exit-waits, resolver
"""Delayed calls whose handles are kept: one cancelled before its delay
has passed never runs, the other runs once the delay has passed, as
threading.Timer does; none is pending at exit, so the exit-waits
difference the form has does not show."""
import eventlet

eventlet.monkey_patch()

fired = []
late = eventlet.spawn_after(0.05, fired.append, "late")
late.cancel()
eventlet.sleep(0.1)
soon = eventlet.spawn_after(0.01, fired.append, "soon")
eventlet.sleep(0.1)
print(fired)
