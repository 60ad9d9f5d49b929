# expect-rewrites: 3
# expect-eventlet-gone: yes
# accept: subprocess-exception-copies
"""A Timeout around one wait() of a green subprocess: a child that outlives
the timeout (killed in the handler) and one that exits in time."""
import sys

import eventlet
from eventlet.green import subprocess


def run(seconds):
    child = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])
    try:
        with eventlet.Timeout(0.5):
            status = child.wait()
    except eventlet.Timeout:
        child.kill()
        status = "killed after %s" % child.wait()
    return status


print(run(5))
print(run(0))
