# expect-rewrites: 4
# expect-eventlet-gone: yes
"""Patcher helpers and hub switches in a program that never patches."""
from eventlet import debug
from eventlet import hubs
from eventlet import patcher

hubs.use_hub()
debug.hub_exceptions(False)
print("patched?", patcher.is_monkey_patched("thread"))
if patcher.is_monkey_patched("socket"):
    print("green sockets")
else:
    print("native sockets")
