"""A patched service whose two modules keep spawn handles: both call one
spawn_future helper, defined once in pkg/threading_helpers.py, which the
rewrite creates. The values and exceptions the handles give are the same
before and after, on green threads and then on native ones."""
import eventlet
eventlet.monkey_patch()

from pkg import ping  # noqa: E402
from pkg import resize  # noqa: E402


def main():
    print(resize.resize_all([2, 3]))
    print(ping.ping_all(["a", "b"]))


if __name__ == "__main__":
    main()
