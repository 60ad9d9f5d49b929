# expect-rewrites: 1
# expect-manual: eventlet.greenthread.getcurrent
"""getcurrent() stored into a list element, then read back and used as the
green thread it is (oslo.messaging's test_wait_for_running_task does this):
inside a spawned green thread getcurrent() returns the GreenThread itself,
so it equals the spawn's handle and can be waited on. The old tool took the
subscript assignment for identity-only use and rewrote it to
threading.current_thread(), which is neither."""
import eventlet
eventlet.monkey_patch()

_runner = [None]


def work():
    _runner[0] = eventlet.getcurrent()
    return "done"


first = eventlet.spawn(work)
eventlet.sleep(0)
runner = _runner[0]
print("runner is the spawned thread:", runner == first)
print("waited:", runner.wait())
