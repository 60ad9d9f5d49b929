# expect-rewrites: 4
# expect-eventlet-gone: yes
"""Sleeps in a program without green threads."""
import eventlet
from eventlet import greenthread


def pause(delay):
    greenthread.sleep(delay)
    return delay


eventlet.sleep()
eventlet.sleep(0)
eventlet.sleep(seconds=0.01)
print("computed", pause(0.001))
print("negative", pause(-5))
print("done")
