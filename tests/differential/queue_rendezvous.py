# expect-rewrites: 1
# expect-manual: eventlet.queue.Queue
"""eventlet's Queue(0) is a rendezvous channel: put_nowait fails without a
waiting getter. The stdlib's Queue(0) is unbounded, so this must stay."""
from eventlet import queue

chan = queue.Queue(0)
try:
    chan.put_nowait(1)
    print("accepted")
except queue.Full:
    print("rendezvous: no getter, Full")
