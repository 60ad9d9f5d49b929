# expect-rewrites: 8
# expect-eventlet-gone: yes
"""A Timeout around one acquire of a semaphore and of a lock: firing (it is
taken) and not firing (it is free), with the handler's value returned; and
a handler that reads the exception it handles, which keeps its except
clause."""
import sys

import eventlet
from eventlet import lock
from eventlet import semaphore

slots = semaphore.BoundedSemaphore(1)
guard = lock.Lock()


def take_slot():
    try:
        with eventlet.Timeout(0.05):
            slots.acquire()
    except eventlet.Timeout:
        return "timed out"
    return "entered"


def take_guard():
    try:
        with eventlet.Timeout(0):
            guard.acquire()
    except eventlet.Timeout:
        return "timed out"
    return "locked"


def take_guard_reading_why():
    try:
        with eventlet.Timeout(0):
            guard.acquire()
    except eventlet.Timeout:
        return "timed out, handling: %s" % (sys.exc_info()[0] is not None)
    return "locked"


print(take_slot(), take_slot())
slots.release()
print(take_slot())
print(take_guard(), take_guard())
print(take_guard_reading_why())
