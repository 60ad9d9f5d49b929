# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: backpressure, start-order, reused-worker, exit-waits, resolver
"""A GreenPool of one slot, spawned into three times: a full pool's spawn
waited for the running task to end, so the spawner saw a task done before
its second spawn returned; an executor's submit queues the call and
returns at once. The tasks print nothing, so when they start (the
start-order difference the same form has) does not show."""
import time

import eventlet

eventlet.monkey_patch()

done = []


def work(i):
    time.sleep(0.05)
    done.append(i)


def main():
    pool = eventlet.GreenPool(1)
    for i in range(3):
        pool.spawn_n(work, i)
        print("[backpressure] tasks done when spawn", i, "returned:", len(done))
    pool.waitall()
    print("all done:", sorted(done))


main()
