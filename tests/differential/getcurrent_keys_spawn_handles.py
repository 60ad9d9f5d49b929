# expect-rewrites: 1
# expect-manual: eventlet.greenthread.getcurrent
"""A registry keyed by the handles spawn_after() returns, from which each
job deletes itself by getcurrent() (mistral's in-memory scheduler does
this): inside the green thread getcurrent() is that very handle, where
threading.current_thread() would be a wrapper that equals no key, so the
delete would raise KeyError and leave the job behind."""
import eventlet
eventlet.monkey_patch()

jobs = {}


def run(name):
    print("ran", name)
    del jobs[eventlet.getcurrent()]


def schedule(name):
    handle = eventlet.spawn_after(0.01, run, name)
    jobs[handle] = name


schedule("a")
schedule("b")
eventlet.sleep(0.1)
print("left:", len(jobs))
