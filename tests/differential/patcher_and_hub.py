# expect-rewrites: 6
# expect-eventlet-gone: yes
"""Patcher helpers and hub switches in a program that never patches."""
import eventlet
from eventlet import debug
from eventlet import hubs
from eventlet import patcher

hubs.use_hub()
debug.hub_exceptions(False)
json_mod = eventlet.import_patched("json")
print("imported", json_mod.dumps({"a": 1}))
real = patcher.original("threading")
print("original", real.__name__)
print("patched?", patcher.is_monkey_patched("thread"))
if patcher.is_monkey_patched("socket"):
    print("green sockets")
else:
    print("native sockets")
