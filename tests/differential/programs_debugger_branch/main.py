"""A program that patches threads unless it runs under a debugger (nova's
monkey_patch.py does this): with --use-debugger every module but thread is
patched, so green threads all run in the one native thread and
threading.current_thread() is the same object in each of them. The old
tool took the call that patches threads to set the program up, ignored the
debugger branch, and rewrote getcurrent() to threading.current_thread():
with --use-debugger the three green threads then had one owner. sleep stays
safe to rewrite: both branches patch time."""
import sys

import eventlet

if "--use-debugger" in sys.argv:
    eventlet.monkey_patch(thread=False)
else:
    eventlet.monkey_patch()

owners = {}


def work(n):
    owners[eventlet.getcurrent()] = n
    eventlet.sleep(0)


threads = [eventlet.spawn(work, n) for n in range(3)]
for t in threads:
    t.wait()
    t.kill()  # a killed handle: the spawns stay green whatever is decided
print("owners", len(owners))
