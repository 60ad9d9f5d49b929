# expect-rewrites: 2
# expect-manual: eventlet.green.subprocess
"""A Timeout around a green Popen's wait() in a tree that keeps green
threads (a killed one) and the green subprocess module: wait(timeout=)
of the green Popen raises the green module's TimeoutExpired (eventlet's
copy: the module loads before subprocess), which the rewritten except
clause names, while a green thread keeps running beside it."""
import sys

import eventlet
from eventlet.green import subprocess

ticks = []


def tick():
    while True:
        ticks.append(1)
        eventlet.sleep(0.05)


def run(seconds):
    child = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])
    try:
        with eventlet.Timeout(0.5):
            status = child.wait()
    except eventlet.Timeout:
        child.kill()
        status = "killed after %s" % child.wait()
    return status


ticker = eventlet.spawn(tick)
print(run(5))
print(run(0))
print("ticked while waiting:", len(ticks) > 3)
ticker.kill()
