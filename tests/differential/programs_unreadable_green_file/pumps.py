# -*- coding: latin-1 -*-
"""Pompes de chaleur: démarre deux fils verts (this file is latin-1, which
eventless cannot read, so it skips it)."""
import eventlet

log = []


def pump(name):
    for i in range(2):
        log.append(name + str(i))
        eventlet.sleep(0)


def start():
    return [eventlet.spawn(pump, name) for name in "ab"]
