# expect-rewrites: 3
# expect-manual: eventlet.greenthread.spawn
"""Green threads ordered by sleeps, under monkey_patch(): time.sleep is green."""
import eventlet
eventlet.monkey_patch()

order = []


def worker(name, delay):
    eventlet.sleep(delay)
    order.append(name)
    print("woke", name)


threads = [eventlet.spawn(worker, "slow", 0.05), eventlet.spawn(worker, "fast", 0.01)]
eventlet.sleep(0)
print("spawned, nothing ran yet:", order)
for t in threads:
    t.wait()
eventlet.sleep(0.001)
print("order", order)
