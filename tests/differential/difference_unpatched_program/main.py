"""A command that never monkey-patches, and starts a green thread through
workers.py: the rewritten time.sleep in naps.py blocks the hub, so the green
thread runs only after the nap."""
import naps
import workers

napping = True


def mark():
    print("[unpatched-program] the green thread ran during the nap:", napping)


if __name__ == "__main__":
    thread = workers.start(mark)
    naps.nap()
    napping = False
    thread.wait()
    print("done")
