# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: start-order, unraised-exception
"""A thread whose function raises, joined: eventlet's wait() raised the
exception in the waiting code, the rewritten join() returns normally (the
exception is printed on standard error as the thread ends)."""
import eventlet

eventlet.monkey_patch()


def fail():
    raise ValueError("boom")


thread = eventlet.spawn(fail)
try:
    thread.wait()
    print("[unraised-exception] the wait returned")
except ValueError as error:
    print("[unraised-exception] the wait raised:", error)
print("done")
