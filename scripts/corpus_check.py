"""Checks the corpus invariants of `eventless apply` (see corpus-check.sh)."""

import argparse
import functools
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

# The levels of rewrite checked, each with the flags given to apply, diff and scan.
LEVELS = (("exact", ()), ("review", ("--review",)))

# The style checks a rewrite must not add to (pycodestyle's indentation and
# line length, every warning, hacking's one import per line and import order).
# What a file must mention to be rewritten: eventlet, or a member of another
# library that runs on it (transforms with `library = true` API entries).
MENTIONS = (b"eventlet", b"GreenThreadPoolExecutor")
STYLE = "E1,E5,W,H301,H306"

# The totals printed under the table, each with the projects it counts.
TOTALS = (("total", ()),
          ("total without eventlet", ("eventlet-",)),
          ("total without eventlet and swift", ("eventlet-", "swift-")))


def digest_tree(root):
    digests = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            digests[path.relative_to(root)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def is_python(path):
    if path.suffix == ".py":
        return True
    with open(path, "rb") as f:
        first = f.readline()
    return first.startswith(b"#!") and b"python" in first


@functools.lru_cache(maxsize=None)
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


def flake8_messages(flake8, root, rels):
    """The style messages of the files rels under root, in one flake8 run:
    ({rel: {"CODE text": ["row: full text", ...]}}, error or None). The key
    leaves out the text's detail in parentheses (a line's length, the pair of
    imports out of order), so that a message the original has already is not
    new because its detail moved."""
    if not rels:
        return {}, None
    run = subprocess.run([flake8, "--isolated", f"--select={STYLE}",
                          "--format=%(path)s\t%(row)d\t%(code)s\t%(text)s",
                          *(str(root / rel) for rel in rels)],
                         capture_output=True, text=True)
    if run.returncode not in (0, 1):
        return {}, f"flake8 exited {run.returncode}: {run.stderr.strip()[:2000]}"
    found = {}
    for line in run.stdout.splitlines():
        path, row, code, text = line.split("\t", 3)
        key = f"{code.rstrip(':')} {re.sub(r' [(].*[)]$', '', text.strip())}"
        found.setdefault(Path(path).relative_to(root), {}).setdefault(key, []).append(
            f"{row}: {text.strip()}")
    return found, None


def check_level(args, project, tree, flags):
    """Applies the rewrite with flags to a copy of project at tree and checks
    it. Returns (changed files, problems)."""
    shutil.copytree(project, tree, symlinks=True)
    before = digest_tree(tree)
    problems = []
    apply = subprocess.run([args.eventless, "apply", "--quiet", *flags, str(tree)],
                           capture_output=True, text=True)
    if apply.returncode != 0:
        problems.append(f"apply exited {apply.returncode}: {apply.stderr.strip()[:2000]}")
    after = digest_tree(tree)
    changed = sorted(p for p in before if after.get(p) != before[p])
    python = []
    for rel in changed:
        original = project / rel
        rewritten = tree / rel
        if not any(word in original.read_bytes() for word in MENTIONS):
            problems.append(f"{rel}: changed although it never mentions eventlet")
        if not is_python(original):
            continue
        python.append(rel)
        compiled = subprocess.run([sys.executable, "-m", "py_compile", str(rewritten)],
                                  capture_output=True, text=True)
        if compiled.returncode != 0:
            problems.append(f"{rel}: does not compile after apply: {compiled.stderr.strip()}")
        old = pyflakes_messages(args.pyflakes, original)
        new = pyflakes_messages(args.pyflakes, rewritten)
        for message, count in new.items():
            if count > old.get(message, 0):
                problems.append(f"{rel}: new pyflakes message: {message}")
    problems += style_problems(args, project, tree, python)
    created = sorted(p for p in after if p not in before)
    problems += created_problems(args, tree, created)
    problems += repeated_definitions(project, tree, [r for r in changed + created
                                                     if r.suffix == ".py"])
    second = subprocess.run([args.eventless, "diff", "--check", "--quiet", *flags, str(tree)],
                            capture_output=True, text=True)
    if second.returncode != 0:
        problems.append(f"second run not empty (exit {second.returncode}): {second.stdout[:2000]}")
    return changed + created, problems


def created_problems(args, tree, created):
    """A file the rewrite creates (the shared helpers module) must be a
    Python module that compiles, with no watched pyflakes message and no
    style message."""
    problems = []
    for rel in created:
        made = tree / rel
        if made.suffix != ".py":
            problems.append(f"{rel}: created, and not a Python module")
            continue
        compiled = subprocess.run([sys.executable, "-m", "py_compile", str(made)],
                                  capture_output=True, text=True)
        if compiled.returncode != 0:
            problems.append(f"{rel}: created, and does not compile: {compiled.stderr.strip()}")
        for message in pyflakes_messages(args.pyflakes, made):
            problems.append(f"{rel}: created, with a pyflakes message: {message}")
    style, failed = flake8_messages(args.flake8, tree, [r for r in created if r.suffix == ".py"])
    problems += [failed] if failed else []
    for rel, messages in sorted(style.items()):
        for message, places in sorted(messages.items()):
            problems.append(f"{rel}: created, with a style message: {message} "
                            f"(line {'; '.join(places)})")
    return problems


def repeated_definitions(project, tree, rels):
    """A top-level function the rewrite defines in more than one file of a
    project: a helper pasted where one shared module should hold it."""
    where = {}
    for rel in rels:
        original = project / rel
        old = original.read_text(errors="replace") if original.exists() else ""
        defined = set(re.findall(r"^def (\w+)\(", old, re.M))
        for name in set(re.findall(r"^def (\w+)\(", (tree / rel).read_text(errors="replace"),
                                   re.M)) - defined:
            where.setdefault(name, []).append(str(rel))
    return [f"helper {name} defined by the rewrite in {len(files)} files: {', '.join(files)}"
            for name, files in sorted(where.items()) if len(files) > 1]


def style_problems(args, project, tree, rels):
    """A style message more often in a rewritten file than in its original,
    with all its places in the rewritten file."""
    problems = []
    old, failed = flake8_messages(args.flake8, project, rels)
    new, failed_too = flake8_messages(args.flake8, tree, rels)
    problems += [f for f in (failed, failed_too) if f]
    for rel in rels:
        before = old.get(rel, {})
        for message, places in sorted(new.get(rel, {}).items()):
            more = len(places) - len(before.get(message, ()))
            if more > 0:
                problems.append(f"{rel}: new style message: {message} ({more} more; "
                                f"rewritten line {'; '.join(places)})")
    return problems


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


def summary_of(args, project, flags):
    command = [args.eventless, "scan", "--format", "json", "--no-config", *flags, str(project)]
    scan = subprocess.run(command, capture_output=True, text=True)
    return json.loads(scan.stdout)["summary"] if scan.returncode == 0 else {}


def rewrites(summary):
    return sum(summary.get(key, 0) for key in ("rewrite_safe", "rewrite_conditional", "rewrite_review"))


def share(part, whole):
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


def row(name, counts, verdict=""):
    files = "/".join(str(counts[f"files {level}"]) for level, _ in LEVELS)
    return (f"{name:<33} {counts['uses']:>6} "
            + " ".join(f"{counts[level]:>6} {share(counts[level], counts['uses']):>6}"
                       for level, _ in LEVELS)
            + f" {files:>13}  {verdict}").rstrip()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eventless", required=True)
    parser.add_argument("--pyflakes", required=True)
    parser.add_argument("--flake8", required=True, help="a flake8 with hacking installed")
    parser.add_argument("--corpus", required=True, type=Path)
    args = parser.parse_args()
    # Commits run in each project's folder: the binary is found from there.
    args.eventless = str(Path(args.eventless).resolve())
    projects = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    failures = 0
    keys = ["uses"] + [level for level, _ in LEVELS] + [f"files {level}" for level, _ in LEVELS]
    totals = {name: dict.fromkeys(keys, 0) for name, _ in TOTALS}
    print(f"Rewritten uses and changed files per level ({' / '.join(l for l, _ in LEVELS)}); "
          f"the checks run at each level.")
    print(f"{'project':<33} {'uses':>6} {'exact':>6} {'share':>6} {'review':>6} {'share':>6} "
          f"{'files changed':>13}  result")
    with tempfile.TemporaryDirectory(prefix="eventless-corpus-") as tmp:
        for project in projects:
            counts = {}
            problems = []
            for level, flags in LEVELS:
                changed, found = check_level(args, project, Path(tmp) / level / project.name, flags)
                summary = summary_of(args, project, flags)
                counts["uses"] = summary.get("uses", 0)
                counts[level] = rewrites(summary)
                counts[f"files {level}"] = len(changed)
                problems += [f"[{level}] {p}" for p in found]
            for name, excluded in TOTALS:
                if not project.name.startswith(excluded):
                    for key in keys:
                        totals[name][key] += counts[key]
            verdict = "ok" if not problems else f"{len(problems)} problem(s)"
            print(row(project.name, counts, verdict))
            for p in problems:
                print(f"    {p}")
            failures += len(problems)
    for name, _ in TOTALS:
        print(row(name, totals[name]))
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
