"""Times whole processes over the corpus and prints medians (see run.sh)."""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def measure(command, runs):
    """Median wall seconds and the largest peak RSS (MiB) over `runs` runs."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        # grep exits 1 when nothing matches; anything else failing is a
        # broken benchmark, not a fast one.
        code = os.waitstatus_to_exitcode(_status)
        if code not in (0, 1) or (code == 1 and command[0] != "grep"):
            raise SystemExit(f"benchmark command failed (exit {code}): {' '.join(command)}")
    return statistics.median(times), max(peaks)


def generated_file(folder, megabytes):
    """A module of small functions, each with an eventlet.sleep() of a
    module constant (each use proves it non-negative), of about `megabytes`
    MB; returns its number of uses."""
    parts, size, n = ["import eventlet\n\nDELAY = 1\n"], 0, 0
    while size < megabytes * 1024 * 1024:
        part = f"\n\ndef f{n}(x):\n    y = x + {n}\n    eventlet.sleep(DELAY)\n    return y\n"
        parts.append(part)
        size += len(part)
        n += 1
    (folder / "generated.py").write_text("".join(parts))
    return n


def scaling(eventless, runs):
    """One generated file per size, 0.25 to 32 MB: time and memory of
    `diff` must grow linearly with it (and with its uses)."""
    print("\nper-file scaling (one generated file, eventless diff --no-cache):")
    print(f"  {'MB':>6} {'uses':>8} {'seconds':>9} {'s per MB':>9} {'peak MiB':>9}")
    costs = []
    for megabytes in (0.25, 0.5, 1, 2, 4, 8, 16, 32):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            uses = generated_file(folder, megabytes)
            command = [eventless, "diff", "--no-config", "--no-cache", "--no-project",
                       "--color", "never", str(folder)]
            seconds, peak = measure(command, max(1, runs // 2))
        costs.append(seconds / megabytes)
        print(f"  {megabytes:>6} {uses:>8} {seconds:>9.3f} {costs[-1]:>9.3f} {peak:>9.1f}")
    # Startup makes the smallest files dear per MB; growth shows as the
    # dearest MB of the larger files against the cheapest.
    spread = max(costs[2:]) / min(costs)
    verdict = "linear within 1.5x" if spread <= 1.5 else "NOT linear within 1.5x"
    print(f"  dearest MB (1 MB and up) / cheapest MB: {spread:.2f}x ({verdict})")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--eventless", required=True)
    p.add_argument("--parse-floor", required=True)
    p.add_argument("--ast-grep", required=True)
    p.add_argument("--rules", required=True)
    p.add_argument("--corpus", required=True, type=Path)
    p.add_argument("--runs", type=int, default=7)
    a = p.parse_args()
    nova = next(a.corpus.glob("nova-*"))
    everything = sorted(str(d) for d in a.corpus.iterdir() if d.is_dir())
    # The corpus is 15 projects: as one tree (--no-project), since a run
    # analyses one project at a time.
    targets = {"nova": ([str(nova)], []), "corpus": (everything, ["--no-project"])}
    print(f"machine: {os.cpu_count()} cores; {a.runs} runs each; median wall time, peak RSS")
    for name, (paths, flags) in targets.items():
        diff = [a.eventless, "diff", "--no-config", "--color", "never", *flags, *paths]
        rows = {
            "grep -rl eventlet": ["grep", "-rl", "--include=*.py", "eventlet", *paths],
            "parse floor": [a.parse_floor, *paths],
            "eventless scan": [a.eventless, "scan", "--no-config", "--no-cache", *flags, *paths],
            "eventless diff": diff + ["--no-cache"],
            "eventless diff, warm": diff,
            "ast-grep (11 rules)": [a.ast_grep, "scan", "--rule", a.rules, *paths],
        }
        with tempfile.TemporaryDirectory() as cache:
            os.environ["XDG_CACHE_HOME"] = cache
            subprocess.run(diff, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            results = {label: measure(cmd, a.runs) for label, cmd in rows.items()}
        floor = results["parse floor"][0]
        print(f"\n{name}:")
        for label, (seconds, peak) in results.items():
            print(f"  {label:<22} {seconds:8.3f} s  {seconds / floor:6.2f}x parse floor  {peak:7.1f} MiB")
        cold = results["eventless diff"][0]
        warm = results["eventless diff, warm"][0]
        grep = results["grep -rl eventlet"][0]
        print(f"  ast-grep / eventless diff: {results['ast-grep (11 rules)'][0] / cold:.2f}x; "
              f"warm diff / grep: {warm / grep:.2f}x")
    scaling(a.eventless, a.runs)


if __name__ == "__main__":
    main()
