"""Sub-path consistency of eventless on the corpus.

Usage: subpath_check.py --eventless BIN --corpus DIR [--project NAME ...] [--per-project N]
                        [--subpath PROJECT=PATH ...] [--review] [-v]

eventless analyses the whole project a path belongs to and edits only the
paths given. So for every project of the corpus (each folder of DIR) and a few
of its sub-paths, chosen from the whole-project scan (deterministically: the
non-test folder with the most eventlet uses, the test folder with the most
uses, the file with the most rewrites, the non-test folder with the most
rewrites, the two-level subsystem folder with the most uses), run from the
project folder (so its root is found); --subpath adds sub-paths by hand:

  * `scan --no-cache --format json SUBPATH` reports only files under SUBPATH,
    and every finding it marks "rewrite" is also "rewrite" (same path, line,
    column and api) in `scan --no-cache --format json .`;
  * `diff --no-cache SUBPATH` edits no file outside SUBPATH.

With --review, every run is made at the review level (`--review`).

Prints one line per project and sub-path with counts; a violation is printed
with the reasons of both runs. Exit status 1 on any violation, 2 when eventless
fails.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

DIFF_HEADER = re.compile(r"^(?:---|\+\+\+) (?:[ab]/)?(.*?)(?:\t.*)?$")


class EventlessFailed(Exception):
    pass


def run(args, cwd, command, *rest):
    level = ["--review"] if args.review else []
    done = subprocess.run([args.eventless, command, *level, *rest], cwd=cwd,
                          capture_output=True, text=True)
    return done


def scan(args, project, path):
    done = run(args, project, "scan", "--no-cache", "--format", "json", path)
    if done.returncode != 0:
        raise EventlessFailed(f"scan {path} exited {done.returncode}: {done.stderr.strip()[:500]}")
    return json.loads(done.stdout)


def relative(project, path):
    """A reported path as a normalised path relative to the project folder."""
    if os.path.isabs(path):
        path = os.path.relpath(path, project)
    return os.path.normpath(path)


def under(path, sub):
    return sub == "." or path == sub or path.startswith(sub.rstrip("/") + "/")


def findings(project, report):
    """{(path, line, column, api): finding} of a scan report."""
    found = {}
    for entry in report["files"]:
        path = relative(project, entry["path"])
        for f in entry["findings"]:
            found[(path, f["line"], f["column"], f["api"])] = dict(f, path=path)
    return found


def is_test(path):
    parts = Path(path).parts
    return any(p in ("tests", "test") for p in parts[:-1]) or parts[-1].startswith("test_")


def choose_subpaths(whole, count):
    """A few sub-paths of the project, deterministic, from its whole scan."""
    uses = Counter()
    rewrites = Counter()
    for (path, _, _, _), f in whole.items():
        if f["action"] == "import":
            continue
        uses[path] += 1
        if f["action"] == "rewrite":
            rewrites[path] += 1

    def best(counter, keep=lambda p: True):
        ranked = sorted((p for p in counter if keep(p) and counter[p]), key=lambda p: (-counter[p], p))
        return ranked[0] if ranked else None

    def folders(counter, depth=None):
        grouped = Counter()
        for path, n in counter.items():
            parent = Path(path).parent
            if depth is not None:
                if len(parent.parts) < depth:
                    continue
                parent = Path(*parent.parts[:depth])
            if str(parent) != ".":
                grouped[str(parent)] += n
        return grouped

    candidates = [
        best(folders(uses), lambda p: not is_test(p + "/x.py")),
        best(folders(uses), lambda p: is_test(p + "/x.py")),
        best(rewrites) or best(uses),
        best(folders(rewrites), lambda p: not is_test(p + "/x.py")),
        best(folders(uses, depth=2), lambda p: not is_test(p + "/x.py")),
    ]
    chosen = []
    for c in candidates:
        if c is not None and c not in chosen:
            chosen.append(c)
    return chosen[:count]


def diff_paths(project, text):
    paths = set()
    for line in text.splitlines():
        m = DIFF_HEADER.match(line)
        if m and m.group(1) != "/dev/null":
            paths.add(relative(project, m.group(1)))
    return paths


def check_subpath(args, project, whole, sub):
    """Returns (counts, violations, notes) for one sub-path."""
    violations = []
    notes = []
    report = scan(args, project, sub)
    part = findings(project, report)
    outside = sorted({k[0] for k in part if not under(k[0], sub)})
    for path in outside:
        violations.append(f"scan {sub} reports {path}, outside it")
    sub_rewrites = {k: f for k, f in part.items() if f["action"] == "rewrite"}
    for key, f in sorted(sub_rewrites.items()):
        other = whole.get(key)
        if other is None or other["action"] != "rewrite":
            where = f"{key[0]}:{key[1]}:{key[2]} {key[3]}"
            whole_says = ("not reported" if other is None else
                          f"{other['action']}: {other.get('reason') or other.get('transform')}")
            violations.append(f"{where}: rewrite in `scan {sub}` ({f.get('transform')}: "
                              f"{f.get('reason') or '-'}) but in `scan .` {whole_says}")
    whole_rewrites = {k: f for k, f in whole.items() if f["action"] == "rewrite" and under(k[0], sub)}
    held_back = sorted(k for k in whole_rewrites if k not in sub_rewrites)
    for key in held_back:
        f = part.get(key)
        notes.append(f"held back: {key[0]}:{key[1]}:{key[2]} {key[3]}: "
                     f"{'not reported' if f is None else f['action'] + ': ' + str(f.get('reason'))}")
    done = run(args, project, "diff", "--no-cache", sub)
    if done.returncode != 0:
        raise EventlessFailed(f"diff {sub} exited {done.returncode}: {done.stderr.strip()[:500]}")
    edited = diff_paths(project, done.stdout)
    for path in sorted(edited):
        if not under(path, sub):
            violations.append(f"diff {sub} edits {path}, outside it")
    counts = {"findings": len(part), "rewrite": len(sub_rewrites), "whole": len(whole_rewrites),
              "held_back": len(held_back), "edited": len(edited)}
    return counts, violations, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eventless", required=True)
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--project", action="append", default=[],
                        help="only this project folder of the corpus (repeatable)")
    parser.add_argument("--per-project", type=int, default=4, help="sub-paths per project (default 4)")
    parser.add_argument("--subpath", action="append", default=[], metavar="PROJECT=PATH",
                        help="also check this sub-path of this project (repeatable)")
    parser.add_argument("--review", action="store_true",
                        help="run every scan and diff with --review")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also list the rewrites of `scan .` that a sub-path run holds back")
    args = parser.parse_args()
    args.eventless = os.path.abspath(args.eventless)
    projects = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    extra = {}
    for spec in args.subpath:
        name, sep, path = spec.partition("=")
        if not sep or not (args.corpus / name / path).exists():
            parser.error(f"--subpath {spec}: no such PROJECT=PATH in the corpus")
        extra.setdefault(name, []).append(os.path.normpath(path))
    if args.project:
        projects = [p for p in projects if p.name in args.project]
        missing = set(args.project) - {p.name for p in projects}
        if missing:
            parser.error(f"not in the corpus: {', '.join(sorted(missing))}")
    violations = 0
    checked = 0
    try:
        for project in projects:
            project = project.resolve()
            whole = findings(project, scan(args, project, "."))
            subs = choose_subpaths(whole, args.per_project)
            subs += [s for s in extra.get(project.name, []) if s not in subs]
            total = sum(1 for f in whole.values() if f["action"] == "rewrite")
            if not subs:
                print(f"{project.name:<24} (no eventlet uses: nothing to check; {total} rewrites)")
                continue
            for sub in subs:
                counts, problems, notes = check_subpath(args, project, whole, sub)
                checked += 1
                verdict = "ok" if not problems else f"{len(problems)} violation(s)"
                print(f"{project.name:<24} {sub:<48} findings {counts['findings']:>4}  "
                      f"rewrite {counts['rewrite']:>3} (whole run {counts['whole']:>3}, "
                      f"held back {counts['held_back']:>3})  diff edits {counts['edited']:>3} file(s)  "
                      f"{verdict}")
                for p in problems:
                    print(f"    {p}")
                if args.verbose:
                    for n in notes:
                        print(f"    {n}")
                violations += len(problems)
    except EventlessFailed as e:
        print(f"subpath check: eventless failed: {e}")
        return 2
    print(f"subpath check: {checked} sub-path(s) in {len(projects)} project(s), "
          + ("passed" if violations == 0 else f"{violations} violation(s)"))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
