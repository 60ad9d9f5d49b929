# expect-rewrites: 2
# expect-eventlet-gone: yes
"""Green threading under monkey_patch(): the stdlib module is the same green
one; with nothing else of eventlet left, monkey_patch() goes too."""
import eventlet
eventlet.monkey_patch()

from eventlet.green import threading  # noqa: E402

results = []


def work(n):
    results.append(n * n)


threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results))
