# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: exit-waits, resolver
"""A call scheduled with spawn_after that is still pending when the
program ends: eventlet drops it, the rewritten threading.Timer keeps the
program alive until it has run."""
import eventlet

eventlet.monkey_patch()

eventlet.spawn_after(0.3, print, "[exit-waits] the pending call ran at exit")
print("main done")
