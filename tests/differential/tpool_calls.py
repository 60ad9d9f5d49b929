# expect-rewrites: 6
# expect-eventlet-gone: yes
"""tpool: values, exceptions and keyword arguments pass straight through."""
from eventlet import tpool


def divide(a, b, scale=1):
    return a / b * scale


class Store:
    def __init__(self):
        self.items = {}

    def put(self, key, value):
        self.items[key] = value
        return len(self.items)


tpool.set_num_threads(2)
print("value", tpool.execute(divide, 6, 3, scale=10))
try:
    tpool.execute(divide, 1, 0)
except ZeroDivisionError as e:
    print("raised", type(e).__name__)
store = tpool.Proxy(Store())
print("proxied", store.put("a", 1), store.put("b", 2), sorted(store.items))
args = (8, 2)
print("splat", tpool.execute(divide, *args))
tpool.killall()
