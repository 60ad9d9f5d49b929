# expect-rewrites: 0
# expect-manual: eventlet.green.threading
"""A thread started through eventlet.green.threading under monkey_patch()
and never joined: eventlet's copy of threading keeps the process alive
until it ends, where a thread the patched threading module starts is
dropped at exit. The green module stays."""
import time

import eventlet

eventlet.monkey_patch()

from eventlet.green import threading  # noqa: E402


def work():
    time.sleep(0.2)
    print("worker done")


threading.Thread(target=work).start()
print("main done")
