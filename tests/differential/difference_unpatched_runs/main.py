"""A program that patches time unless it runs under a debugger (nova's
monkey_patch.py turns thread patching off that way): in the debugger run
the rewritten time.sleep blocks the hub, so the green thread started
before the nap runs only after it. The spawn stays green, as eventlet must
stay for the debugger run to differ."""
import sys

import eventlet

if "--use-debugger" in sys.argv:
    eventlet.monkey_patch(time=False)
else:
    eventlet.monkey_patch()

napping = True


def mark():
    print("[unpatched-runs] the green thread ran during the nap:", napping)


thread = eventlet.spawn(mark)  # eventless: ignore
eventlet.sleep(0.05)
napping = False
thread.wait()
print("done")
