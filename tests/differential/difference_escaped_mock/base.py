"""Shared set-up code (it defines no tests): starts things without their
settling waits, under a bare mock of eventlet's sleep that stays."""
from unittest import mock

import eventlet


def quietly(function):
    with mock.patch.object(eventlet, 'sleep'):
        function()
