# expect-rewrites: 0
# expect-manual: eventlet.queue.Queue
"""The class is also used for isinstance: the queue must keep its type."""
from eventlet import queue

q = queue.Queue()
print("is eventlet queue", isinstance(q, queue.Queue))
