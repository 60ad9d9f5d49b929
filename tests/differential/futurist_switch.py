# expect-rewrites: 3
# accept: reused-worker, resolver
# expect-eventlet-gone: yes
"""futurist's green executor goes with monkey_patch() when it is the last
eventlet use: results and exceptions come back through the same futures,
map keeps its order, the executor bounds how many run at once, and leaving
the with block shuts it down. Its tasks keep no thread-local state, so the
reused-worker difference it accepts does not show."""
import threading

import eventlet
eventlet.monkey_patch()

import futurist  # noqa: E402

lock = threading.Lock()
running = [0, 0]


def square(n):
    with lock:
        running[0] += 1
        running[1] = max(running)
    eventlet.sleep(0.005 * (n % 3))
    with lock:
        running[0] -= 1
    if n == 4:
        raise KeyError(n)
    return n * n


with futurist.GreenThreadPoolExecutor(max_workers=2) as executor:
    futures = [executor.submit(square, n) for n in range(6)]
    for future in futures:
        try:
            print(future.result())
        except KeyError as error:
            print("raised", repr(error))
    print(list(executor.map(square, [1, 2, 3])))
print("at most", running[1], "at once")
print("alive:", executor.alive)
