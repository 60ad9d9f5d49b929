"""Checks the corpus invariants of `eventless apply` (see corpus-check.sh)."""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WATCHED = re.compile(r"undefined name|imported but unused|redefinition of unused")

# The semantic transforms (value flow, mocks, libraries, configuration files):
# the "primitives only" column leaves them out, to show what they add.
SEMANTIC = ["event-threading", "event-future", "sleep-mock", "green-mock",
            "oslo-messaging-executor", "requirement", "coverage-concurrency", "environment"]


def digest_tree(root):
    digests = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            digests[path.relative_to(root)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def pyflakes_messages(pyflakes, path):
    """Watched pyflakes messages without line numbers, as a multiset."""
    out = subprocess.run([pyflakes, str(path)], capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and WATCHED.search(parts[3]):
            message = re.sub(r"line \d+", "line N", parts[3].strip())
            found[message] = found.get(message, 0) + 1
    return found


def check_project(args, project, work):
    tree = work / project.name
    shutil.copytree(project, tree, symlinks=True)
    before = digest_tree(tree)
    problems = []
    apply = subprocess.run([args.eventless, "apply", "--quiet", str(tree)],
                           capture_output=True, text=True)
    if apply.returncode != 0:
        problems.append(f"apply exited {apply.returncode}: {apply.stderr.strip()[:2000]}")
    after = digest_tree(tree)
    changed = sorted(p for p in before if after.get(p) != before[p])
    for rel in changed:
        original = project / rel
        rewritten = tree / rel
        if b"eventlet" not in original.read_bytes():
            problems.append(f"{rel}: changed although it never mentions eventlet")
        compiled = subprocess.run([sys.executable, "-m", "py_compile", str(rewritten)],
                                  capture_output=True, text=True)
        if compiled.returncode != 0:
            problems.append(f"{rel}: does not compile after apply: {compiled.stderr.strip()}")
        old = pyflakes_messages(args.pyflakes, original)
        new = pyflakes_messages(args.pyflakes, rewritten)
        for message, count in new.items():
            if count > old.get(message, 0):
                problems.append(f"{rel}: new pyflakes message: {message}")
    second = subprocess.run([args.eventless, "diff", "--check", "--quiet", str(tree)],
                            capture_output=True, text=True)
    if second.returncode != 0:
        problems.append(f"second run not empty (exit {second.returncode}): {second.stdout[:2000]}")
    return changed, problems, summary_of(args, project), summary_of(args, project, SEMANTIC)


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="Corpus Check", GIT_AUTHOR_EMAIL="corpus@example.com",
               GIT_COMMITTER_NAME="Corpus Check", GIT_COMMITTER_EMAIL="corpus@example.com")
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def check_series(args, project, work):
    """Turns the project into a git repository, runs `eventless commit`, and
    checks that every commit's Python files compile. Returns (subjects, problems)."""
    tree = work / ("series-" + project.name)
    shutil.copytree(project, tree, symlinks=True)
    git(tree, "init", "-q", "-b", "main")
    git(tree, "config", "user.name", "Corpus Check")
    git(tree, "config", "user.email", "corpus@example.com")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "Import " + project.name)
    made = subprocess.run([args.eventless, "commit", "--quiet", "."], cwd=tree, capture_output=True, text=True)
    if made.returncode != 0:
        return [], [f"commit exited {made.returncode}: {made.stderr.strip()[:500]}"]
    problems = []
    has_branch = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "eventlet-removal"],
                                cwd=tree, capture_output=True).returncode == 0
    if not has_branch:
        return [], []
    commits = git(tree, "rev-list", "--reverse", "main..eventlet-removal").split()
    for commit in commits:
        for path in git(tree, "diff-tree", "--no-commit-id", "--name-only", "-r", commit).split("\n"):
            if not path.endswith(".py"):
                continue
            source = git(tree, "show", f"{commit}:{path}")
            try:
                compile(source, path, "exec")
            except SyntaxError as e:
                problems.append(f"commit {commit[:12]} {path}: {e}")
    subjects = git(tree, "log", "--reverse", "--format=%s", "main..eventlet-removal").splitlines()
    return subjects, problems


def summary_of(args, project, ignore=()):
    command = [args.eventless, "scan", "--format", "json", "--no-config", str(project)]
    if ignore:
        command += ["--ignore", ",".join(ignore)]
    scan = subprocess.run(command, capture_output=True, text=True)
    return json.loads(scan.stdout)["summary"] if scan.returncode == 0 else {}


def rewrites(summary):
    return summary.get("rewrite_safe", 0) + summary.get("rewrite_conditional", 0)


def share(part, whole):
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eventless", required=True)
    parser.add_argument("--pyflakes", required=True)
    parser.add_argument("--corpus", required=True, type=Path)
    args = parser.parse_args()
    # Commits run in each project's folder: the binary is found from there.
    args.eventless = str(Path(args.eventless).resolve())
    projects = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    failures = 0
    keys = ("uses", "rewrites", "primitives", "files")
    totals = dict.fromkeys(keys, 0)
    # eventlet's own release (its tests and examples) is most of the uses;
    # the projects that migrate off it are totalled apart too.
    users = dict.fromkeys(keys, 0)
    print(f"{'project':<24} {'changed':>7} {'uses':>6} {'rewritten':>9} {'share':>6} "
          f"{'primitives only':>15}  result")
    with tempfile.TemporaryDirectory(prefix="eventless-corpus-") as tmp:
        for project in projects:
            changed, problems, s, base = check_project(args, project, Path(tmp))
            counts = {"uses": s.get("uses", 0), "rewrites": rewrites(s),
                      "primitives": rewrites(base), "files": len(changed)}
            for key, value in counts.items():
                totals[key] += value
                if not project.name.startswith("eventlet-"):
                    users[key] += value
            verdict = "ok" if not problems else f"{len(problems)} problem(s)"
            print(f"{project.name:<24} {len(changed):>7} {s.get('uses', 0):>6} {rewrites(s):>9} "
                  f"{share(rewrites(s), s.get('uses', 0)):>6} "
                  f"{share(rewrites(base), base.get('uses', 0)):>15}  {verdict}")
            for p in problems:
                print(f"    {p}")
            failures += len(problems)
    for name, t in (("total", totals), ("total without eventlet", users)):
        print(f"{name:<24} {t['files']:>7} {t['uses']:>6} {t['rewrites']:>9} "
              f"{share(t['rewrites'], t['uses']):>6} "
              f"{share(t['primitives'], t['uses']):>15}")
    print()
    print("eventless commit on each project as a git repository (every commit must compile):")
    with tempfile.TemporaryDirectory(prefix="eventless-series-") as tmp:
        for project in projects:
            subjects, problems = check_series(args, project, Path(tmp))
            verdict = "ok" if not problems else f"{len(problems)} problem(s)"
            print(f"  {project.name:<24} {len(subjects)} commit(s)  {verdict}")
            if project.name.startswith("nova"):
                for subject in subjects:
                    print(f"      {subject}")
            for p in problems:
                print(f"    {p}")
            failures += len(problems)
    print("corpus check:", "passed" if failures == 0 else f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
