"""The program that never patches: its green threads take turns only at
worker's eventlet.sleep(0). The handles are killed, so the spawns stay
green whatever is decided."""
import eventlet

import worker

threads = [eventlet.spawn(worker.work, name) for name in "ab"]
for t in threads:
    t.wait()
    t.kill()
print("tool", worker.log)
