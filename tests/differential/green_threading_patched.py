# expect-rewrites: 4
# expect-eventlet-gone: yes
# accept: resolver
"""Green threading primitives under monkey_patch(): the stdlib's are green
too, and behave the same; with nothing else of eventlet left,
monkey_patch() goes too."""
import eventlet
eventlet.monkey_patch()

from eventlet.green import threading  # noqa: E402

lock = threading.Lock()
ready = threading.Event()
state = threading.local()
with lock:
    state.value = 42
    ready.set()
print(ready.wait(1), state.value, lock.locked())
