"""A program that patches threads unless it runs under a debugger
(mistral's and nova's debugger switch): in the debugger run the thread the
rewrite starts is an OS thread, which the green Event of signals.py, sent
by the main green thread, no longer wakes (eventlet prints that it cannot
switch to a different thread). The Event stays green, as eventlet must
stay for the debugger run to differ."""
import sys

import eventlet

if "--use-debugger" in sys.argv:
    eventlet.monkey_patch(thread=False)
else:
    eventlet.monkey_patch()

import signals  # noqa: E402


def worker():
    woken = signals.ready.wait(0.5) == "go"
    print("[unpatched-threads] the green event woke the thread:", woken)


eventlet.spawn(worker)
eventlet.sleep(0.05)
signals.ready.send("go")
eventlet.sleep(1)
print("done")
