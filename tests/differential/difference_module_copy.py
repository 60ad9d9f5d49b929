# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: module-copy
"""patcher.original() and import_patched() in a program that never
patches: they loaded copies of modules apart from the ones every other
import shares, so a thread started through the copy of threading was not
listed by the shared module; the import that replaces it gives the shared
module, which lists it."""
import threading

import eventlet
from eventlet import patcher

real_threading = patcher.original("threading")
json_copy = eventlet.import_patched("json")

release = real_threading.Event()
worker = real_threading.Thread(target=release.wait)
worker.start()
print("[module-copy] threads the shared module lists:", threading.active_count())
release.set()
worker.join()
print("done", json_copy.dumps([1]))
