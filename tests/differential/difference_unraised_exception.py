# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: start-order, unraised-exception, resolver
"""A thread whose function raises, joined: eventlet's wait() raised the
exception in the waiting code, and so to its caller; the rewritten join()
returns normally (the exception is printed on standard error as the thread
ends). A wait inside a handler of its own function keeps a Future."""
import eventlet

eventlet.monkey_patch()


def parse(text):
    # Fails where the file shows no raise (one it shows keeps a Future).
    return int(text)


def run():
    thread = eventlet.spawn(parse, "boom")
    thread.wait()
    print("[unraised-exception] the wait returned")


try:
    run()
except ValueError as error:
    print("[unraised-exception] the wait raised:", error)
print("done")
