"""Another program in the same folder, which never patches, and whose green
threads take turns at eventlet.sleep(0). a.py's monkey_patch() does not run
in this program; the old tool decided per folder, took b.py for patched too
and made its sleep time.sleep, which blocks instead of yielding, so each
green thread ran to its end before the next one started (x0 x1 x2 y0 y1
y2). The handles are killed, so the spawns stay green whatever is decided."""
import eventlet

order = []


def ticker(name):
    for i in range(3):
        order.append(name + str(i))
        eventlet.sleep(0)


threads = [eventlet.spawn(ticker, name) for name in "xy"]
for t in threads:
    t.wait()
    t.kill()
print(" ".join(order))
