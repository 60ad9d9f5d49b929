# expect-rewrites: 1
# expect-manual: eventlet.semaphore.Semaphore
"""A semaphore kept in a list cannot be followed; one in a name can."""
from eventlet import semaphore

pool = [semaphore.Semaphore(1) for _ in range(2)]
print("balance", pool[0].balance)
single = semaphore.Semaphore(3)
single.acquire()
print("acquired", single.acquire(blocking=False))
