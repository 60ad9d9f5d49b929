# expect-rewrites: 4
# expect-eventlet-gone: yes
"""Semaphores and locks on one thread: counts, non-blocking acquires, errors."""
import eventlet
from eventlet import lock
from eventlet import semaphore

sem = semaphore.Semaphore(2)
print(sem.acquire(), sem.acquire(), sem.acquire(blocking=False))
print("timed", sem.acquire(timeout=0.01))
sem.release()
with sem:
    print("inside with")
sem.release()

bounded = eventlet.BoundedSemaphore(1)
bounded.acquire()
bounded.release()
try:
    bounded.release()
except ValueError as e:
    print("over-release", type(e).__name__)

mutex = lock.Lock()
with mutex:
    print("locked", mutex.locked())
print("unlocked", mutex.locked())
try:
    mutex.release()
except RuntimeError as e:
    print("release unlocked", type(e).__name__)

default = semaphore.Semaphore()
print(default.acquire(blocking=False), default.acquire(blocking=False))
