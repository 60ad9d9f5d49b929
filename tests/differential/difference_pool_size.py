# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: pool-size, backpressure, start-order, reused-worker, exit-waits, resolver
"""A pool sized by a value the caller passes: GreenPool converted a string
size with int(), where ThreadPoolExecutor raises TypeError. The tasks only
collect their numbers, so when they start and whether the spawner waits
(the other differences of the same form) does not show."""
import eventlet

eventlet.monkey_patch()


def numbers(size):
    pool = eventlet.GreenPool(size)
    found = []
    for n in range(3):
        pool.spawn_n(found.append, n)
    pool.waitall()
    return sorted(found)


print("sized 2:", numbers(2))
try:
    print("[pool-size] sized '2':", numbers("2"))
except TypeError:
    print("[pool-size] sized '2': TypeError")
