# expect-rewrites: 0
# expect-manual: eventlet.greenthread.getcurrent
"""getcurrent() used beyond identity: every use in the file stays, so that a
greenlet is never compared with a thread."""
import eventlet

me = eventlet.getcurrent()
print("kind", type(me).__name__)
print("same", me is eventlet.getcurrent())
