"""A module two programs import: service.py, which monkey-patches, and
tool.py, which does not. Its sleep may become time.sleep only if every
program that imports it patches time; the old tool decided per folder, saw
service.py's monkey_patch() and rewrote it, so in tool.py the sleep blocked
instead of letting the other green thread run (a0 a1 b0 b1 instead of
a0 b0 a1 b1)."""
import eventlet

log = []


def work(name):
    for i in range(2):
        log.append(name + str(i))
        eventlet.sleep(0)
