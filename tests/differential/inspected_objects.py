# expect-rewrites: 1
# expect-manual: eventlet.queue.LightQueue
# expect-manual: eventlet.semaphore.Semaphore
"""Objects whose type or representation is looked at keep their eventlet
type; the one only used stays rewritable."""
from eventlet import queue
from eventlet import semaphore

q = queue.LightQueue()
print("type", type(q).__name__)
print("is light", isinstance(semaphore.Semaphore(), semaphore.Semaphore))
s = semaphore.Semaphore(2)
print(type(s).__name__)
used = queue.Queue(3)
used.put(1)
print("got", used.get())
