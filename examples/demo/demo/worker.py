# Copyright 2026 The demo authors.
"""A worker that polls a queue, rate-limited by a shared semaphore."""

import logging
import random

import eventlet
from eventlet import queue
from eventlet import semaphore
from eventlet import tpool

LOG = logging.getLogger(__name__)

JOBS = queue.LightQueue(100)
_LIMIT = semaphore.BoundedSemaphore(2)


def checksum(payload):
    # A C extension call that must not block the hub.
    return tpool.execute(hash, payload)


def run(n, stop):
    while not stop.ready():
        try:
            job = JOBS.get(timeout=1)
        except queue.Empty:
            eventlet.sleep(random.random())
            continue
        with _LIMIT:
            LOG.info("worker %d: %s", n, checksum(job))
        eventlet.sleep(0)
