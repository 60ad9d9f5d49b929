# expect-rewrites: 6
# expect-eventlet-gone: yes
"""Current-thread identity and thread-local storage on one thread."""
import eventlet
from eventlet import corolocal


class Ctx(corolocal.local):
    def __init__(self):
        self.user = "nobody"


ctx = Ctx()
ctx.user = "alice"
print("user", ctx.user)
store = corolocal.local()
store.x = 1
print("x", store.x, hasattr(Ctx(), "x"))

me = eventlet.getcurrent()
print("same", me is eventlet.getcurrent())
owners = {eventlet.getcurrent(): "main"}
print("owner", owners[me])
print("ident int", isinstance(corolocal.get_ident(), int))
