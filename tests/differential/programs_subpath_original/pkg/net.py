"""patcher.original() gives the socket module as it was before patching.
eventless is run on this file alone, but the project (found by setup.cfg)
has a console script whose package patches at import. The old tool looked
at the given path only, saw no monkey_patch() and rewrote original() to
importlib.import_module('socket'), which returns the patched module: the
socket class became eventlet's green one (eventlet.greenio.base)."""
from eventlet import patcher

real_socket = patcher.original("socket")
