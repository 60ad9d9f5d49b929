# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: backpressure, start-order, reused-worker, resolver
"""GreenPiles read to their end, the last eventlet uses, go with
monkey_patch(): results in the order of the calls whatever order they end
in, a call's exception raised in its place, and an empty pile read as
empty."""
import time

import eventlet

eventlet.monkey_patch()


def slow_square(n):
    time.sleep(0.01 * (5 - n))
    if n == 2:
        raise ValueError("two")
    return n * n


def squares(numbers):
    pile = eventlet.GreenPile(3)
    for n in numbers:
        pile.spawn(slow_square, n)
    results = []
    for value in pile:
        results.append(value)
    return results


print(squares([4, 3, 1, 0]))
print(squares([]))
try:
    squares([3, 2, 1])
except ValueError as error:
    print("raised", error)
