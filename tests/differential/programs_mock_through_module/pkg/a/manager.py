"""A module whose tests patch eventlet where it finds it. Its sleeps become
time.sleep, and the mocks must follow to what it calls then
(pkg.a.manager.time.sleep). The old tool rewrote the sleeps and dropped the
imports but left the mocks alone: each test then failed with AttributeError
(pkg.a.manager has no attribute 'eventlet', nor 'greenthread')."""
import eventlet
from eventlet import greenthread


def retry(attempts):
    for _ in range(attempts):
        eventlet.sleep(1)
    return attempts


def pause():
    greenthread.sleep(30)
    return "paused"
