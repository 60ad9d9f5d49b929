"""The console script `watch`, monkey-patched by pkg/cmd/__init__.py."""
from pkg import watch


def main():
    print("watch", watch.probe(0.05, 0.02))
