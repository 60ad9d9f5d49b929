"""A Timeout interrupts a sleep only while the sleep is green. The console
script (pkg.cmd) patches time, but the test imports pkg.watch alone and
never patches. The old tool saw a monkey_patch() in the tree, took time for
patched everywhere and made the sleep time.sleep: in the test the sleep
then blocked the hub and the timeout never fired."""
import eventlet


def probe(timeout, delay):
    try:
        with eventlet.Timeout(timeout):
            eventlet.sleep(delay)
        return "answered"
    except eventlet.Timeout:
        return "timed out"
