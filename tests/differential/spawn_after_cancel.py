# expect-rewrites: 4
# expect-eventlet-gone: yes
# accept: start-order, resolver
"""A spawn_after() handle that is cancelled: before its delay has passed
the call never runs; after it ran, cancel() changes nothing, and the handle
reports it done either way."""
import eventlet

eventlet.monkey_patch()

calls = []
never = eventlet.spawn_after(0.05, calls.append, "cancelled")
never.cancel()
ran = eventlet.spawn_after(0.01, calls.append, "ran")
eventlet.sleep(0.1)
ran.cancel()
print(calls, never.dead, ran.dead)
