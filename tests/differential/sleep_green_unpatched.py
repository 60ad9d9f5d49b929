# expect-rewrites: 0
# expect-manual: eventlet.greenthread.sleep
"""Green threads without monkey_patch(): time.sleep would block them all, so
the sleeps must stay."""
import eventlet


def ticker(name, n):
    for i in range(n):
        print(name, i)
        eventlet.sleep(0)


a = eventlet.spawn(ticker, "a", 3)
b = eventlet.spawn(ticker, "b", 3)
a.wait()
b.wait()
