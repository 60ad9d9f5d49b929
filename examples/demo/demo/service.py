# Copyright 2026 The demo authors.
"""Entry point: patch the process, then run the workers."""

import eventlet
eventlet.monkey_patch()

import logging  # noqa: E402

from demo import worker  # noqa: E402

LOG = logging.getLogger(__name__)


def main():
    stop = eventlet.event.Event()
    pool = eventlet.GreenPool(4)
    for n in range(4):
        pool.spawn_n(worker.run, n, stop)
    try:
        with eventlet.Timeout(30):
            stop.wait()
    except eventlet.Timeout:
        LOG.warning("workers did not stop in time")
    pool.waitall()
