# expect-rewrites: 2
# expect-manual: eventlet.greenthread.spawn
# accept: start-order, reused-worker
"""futurist's green executor of a with block, in a program that stays
monkey-patched (a killed green thread keeps eventlet): the threaded
executor's workers are green threads too, so results and exceptions come
back through the same futures, map keeps its order, the executor bounds
how many run at once, and leaving the with block waits for the work and
shuts it down. When the work starts is the start-order difference
(difference_start_order.py)."""
import threading

import eventlet
eventlet.monkey_patch()

import futurist  # noqa: E402

lock = threading.Lock()
running = [0, 0]
done = []


def square(n):
    with lock:
        running[0] += 1
        running[1] = max(running)
    eventlet.sleep(0.005 * (n % 3))
    with lock:
        running[0] -= 1
    done.append(n)
    if n == 4:
        raise KeyError(n)
    return n * n


eventlet.spawn(print, "never runs").kill()
with futurist.GreenThreadPoolExecutor(max_workers=2) as executor:
    futures = [executor.submit(square, n) for n in range(6)]
    for future in futures:
        try:
            print(future.result())
        except KeyError as error:
            print("raised", repr(error))
    print(list(executor.map(square, [1, 2, 3])))
    late = executor.submit(square, 7)
print("the block's end waited:", late.done(), sorted(done))
print("at most", running[1], "at once")
print("alive:", executor.alive)
