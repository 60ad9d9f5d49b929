# expect-rewrites: 1
# expect-manual: eventlet.greenpool.GreenPool
# expect-manual: eventlet.patcher.monkey_patch
"""Pools that an executor would not replace stay GreenPools, and so does
monkey_patch(): one whose free slots are read, and one waited for in a loop
that spawns into it again (shutdown would end it). The rest of the program
is rewritten around them and behaves the same."""
import eventlet

eventlet.monkey_patch()


def double(n, out):
    eventlet.sleep(0)
    out.append(2 * n)


def in_batches(batches):
    out = []
    pool = eventlet.GreenPool(2)
    for batch in batches:
        for n in batch:
            pool.spawn_n(double, n, out)
        pool.waitall()
        print("batch done:", sorted(out))
    return pool.free()


print("free at the end:", in_batches([[1, 2, 3], [4, 5]]))
