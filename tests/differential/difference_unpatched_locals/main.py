"""A program that patches threads unless it runs under a debugger
(mistral's and nova's debugger switch): in the debugger run, every green
thread shares the OS thread's thread-local state, so what one green thread
keeps there another overwrites, where eventlet's green local kept one per
green thread. The green threads and their switches stay eventlet's, as
eventlet must stay for the debugger run to differ."""
import sys

import eventlet

if "--use-debugger" in sys.argv:
    eventlet.monkey_patch(thread=False)
else:
    eventlet.monkey_patch()

from eventlet import corolocal  # noqa: E402

store = corolocal.local()


def worker(name):
    store.name = name
    eventlet.sleep(0)
    return store.name == name


first = eventlet.spawn(worker, "a")
second = eventlet.spawn(worker, "b")
kept = [first.wait(), second.wait()]
print("[unpatched-locals] each green thread kept its own value:", all(kept))
