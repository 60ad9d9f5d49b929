# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: default-workers, backpressure, start-order, reused-worker, exit-waits, resolver
"""A GreenPool of the default size whose 40 tasks wait for one another at
a barrier: the green pool ran all 40 at once, so they all met; an executor
of the default size runs at most 32, whose wait times out, so none meets
the others. Only the count of tasks that met is printed, so when they
start and whether the spawner waits (the other differences of the same
form) does not show."""
import eventlet

eventlet.monkey_patch()

import threading  # noqa: E402

TASKS = 40


def main():
    barrier = threading.Barrier(TASKS, timeout=1)
    met = []

    def meet(i):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        met.append(i)

    pool = eventlet.GreenPool()
    try:
        for i in range(TASKS):
            pool.spawn_n(meet, i)
    finally:
        pool.waitall()
    print("[default-workers] tasks that met the others:", len(met))


main()
