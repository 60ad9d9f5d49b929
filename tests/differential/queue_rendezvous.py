# expect-rewrites: 0
# expect-manual: eventlet.queue.Queue
# expect-manual: eventlet.queue.Full
"""eventlet's Queue(0) is a rendezvous channel: put_nowait fails without a
waiting getter. The stdlib's Queue(0) is unbounded, so this must stay, and
the Full it raises stays eventlet's name with it."""
from eventlet import queue

chan = queue.Queue(0)
try:
    chan.put_nowait(1)
    print("accepted")
except queue.Full:
    print("rendezvous: no getter, Full")
