"""Helper of peer-tests.sh: runs a project's unit tests as its tox.ini does and
compares the per-test results of the untouched and the rewritten copy.

  peer_tests.py constraints SRC NAME OUT      SRC without NAME's own line
  peer_tests.py run --venv V --copy DIR --out DIR [--concurrency N] [--timeout S]
  peer_tests.py rerun --venv V --copy DIR --out DIR --tests FILE [...]
  peer_tests.py compare --name NAME --before DIR --after DIR [--rerun ...]

Only the standard library is used here; the subunit stream is read by the
venv's python-subunit.
"""

import argparse
import configparser
import csv
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

# Statuses of a subunit v2 stream (and of older results' CSV files).
PASSED = {"success", "xfail", "skip"}
FAILED = {"failure", "error", "uxsuccess", "fail"}
# tox 4 passes these through whatever the tox.ini says.
TOX_PASSENV = ["PATH", "HOME", "USER", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TERM",
               "TMPDIR", "TEMP", "TMP", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
               "PIP_*", "http_proxy", "https_proxy", "no_proxy"]


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def cmd_constraints(args):
    """Copies the constraints file without the project's own pin."""
    own = normalize(args.name)
    kept = []
    for line in Path(args.src).read_text().splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if match and normalize(match.group(1)) == own:
            continue
        kept.append(line)
    Path(args.out).write_text("\n".join(kept) + "\n")


# ---------------------------------------------------------------- tox.ini

def tox_testenv(copy, venv):
    """(stestr argv template, environment additions, passenv globs) of [testenv]."""
    ini = configparser.ConfigParser(interpolation=None, strict=False)
    ini.read(copy / "tox.ini")
    section = ini["testenv"] if ini.has_section("testenv") else {}

    def substitute(text):
        text = text.replace("{envdir}", str(venv)).replace("{toxinidir}", str(copy))
        text = text.replace("{envpython}", str(venv / "bin" / "python"))
        text = text.replace("{envbindir}", str(venv / "bin"))
        return re.sub(r"\{env:([^:}]+)(?::([^}]*))?\}",
                      lambda m: os.environ.get(m.group(1), m.group(2) or ""), text)

    setenv = {}
    for line in section.get("setenv", "").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            setenv[key.strip()] = substitute(value.strip())
    passenv = []
    for line in section.get("passenv", "").splitlines():
        passenv += [p for p in re.split(r"[\s,]+", line.split("#")[0]) if p]

    commands = [c.strip() for c in section.get("commands", "").splitlines() if c.strip()]
    stestr = [c for c in commands if re.match(r"(\S*python\S*\s+-m\s+)?stestr\b", c)]
    if not stestr:
        sys.exit(f"peer-tests: no stestr command in {copy}/tox.ini [testenv] commands: {commands}")
    skipped = [c for c in commands if c not in stestr]
    return substitute(stestr[0]), setenv, passenv, skipped


def test_environment(copy, venv, setenv, passenv):
    env = {}
    for key, value in os.environ.items():
        if any(fnmatch.fnmatchcase(key, glob) for glob in TOX_PASSENV + passenv):
            env[key] = value
    env["PATH"] = f"{venv}/bin:" + os.environ.get("PATH", "/usr/bin:/bin")
    env["VIRTUAL_ENV"] = str(venv)
    # tox draws a random seed per run; one fixed seed keeps the two runs comparable.
    env["PYTHONHASHSEED"] = os.environ.get("PEER_PYTHONHASHSEED", "0")
    env.update(setenv)
    return env


def stestr_argv(template, venv, extra):
    text = re.sub(r"\{posargs(?::[^}]*)?\}", "", template)
    argv = shlex.split(text)
    if argv[0] == "stestr":
        argv[0] = str(venv / "bin" / "stestr")
    return argv + extra


# ---------------------------------------------------------------- runs

def run_stestr(args, extra, label):
    copy, venv, out = Path(args.copy).resolve(), Path(args.venv).resolve(), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    template, setenv, passenv, skipped = tox_testenv(copy, venv)
    env = test_environment(copy, venv, setenv, passenv)
    argv = stestr_argv(template, venv, ["--concurrency", str(args.concurrency), "--subunit"] + extra)
    subunit = out / f"{label}.subunit"
    started = time.monotonic()
    with open(subunit, "wb") as stream, open(out / f"{label}.stderr", "wb") as err:
        try:
            proc = subprocess.run(argv, cwd=copy, env=env, stdout=stream, stderr=err,
                                  timeout=args.timeout)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    seconds = round(time.monotonic() - started, 1)
    results = parse_subunit(venv, subunit)
    write_csv(out / f"{label}.csv", results)
    # Readable log of the whole run and of its failures with tracebacks.
    with open(out / f"{label}.log", "wb") as log:
        subprocess.run([str(venv / "bin" / "stestr"), "last"], cwd=copy, env=env,
                       stdout=log, stderr=subprocess.STDOUT)
    with open(out / f"{label}-failing.txt", "wb") as log:
        subprocess.run([str(venv / "bin" / "stestr"), "failing"], cwd=copy, env=env,
                       stdout=log, stderr=subprocess.STDOUT)
    meta = {"argv": argv, "setenv": setenv, "skipped_commands": skipped, "rc": rc,
            "seconds": seconds, "tests": len(results),
            "failures": sorted(t for t, s in results.items() if s in FAILED)}
    (out / f"{label}.json").write_text(json.dumps(meta, indent=1))
    return meta


# Reads a subunit v2 stream with the venv's python-subunit, test id -> last
# status. (subunit2csv stops at the first expected failure it meets, an
# error of its own, and so dropped every result after it.)
READ_SUBUNIT = """
import csv, sys
import subunit, testtools

class Last(testtools.StreamResult):
    def __init__(self):
        super().__init__()
        self.statuses = {}

    def status(self, test_id=None, test_status=None, **kwargs):
        if test_id and test_status not in (None, "exists", "inprogress"):
            self.statuses[test_id] = test_status

last = Last()
stream = subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout")
last.startTestRun()
stream.run(last)
last.stopTestRun()
out = csv.writer(sys.stdout)
out.writerow(["test", "status"])
for test, status in last.statuses.items():
    out.writerow([test, status])
"""


def parse_subunit(venv, subunit):
    """test id -> final status, read with the venv's python-subunit."""
    with open(subunit, "rb") as stream:
        proc = subprocess.run([str(venv / "bin" / "python"), "-c", READ_SUBUNIT],
                              stdin=stream, capture_output=True)
    if proc.returncode != 0:
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        print(f"  warning: reading {subunit} failed: {last}", flush=True)
    text = proc.stdout.decode("utf-8", errors="replace")
    results = {}
    for row in csv.DictReader(text.splitlines()):
        test, status = row.get("test"), row.get("status")
        if test and status in PASSED | FAILED:
            results[test] = status
    return results


def write_csv(path, results):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["test", "status"])
        for test in sorted(results):
            writer.writerow([test, results[test]])


def read_csv(path):
    with open(path, newline="") as f:
        return {row["test"]: row["status"] for row in csv.DictReader(f)}


def check_import(copy, venv, package):
    """Where the package is imported from when the tests run inside copy."""
    proc = subprocess.run([str(venv / "bin" / "python"), "-c",
                           f"import {package}; print({package}.__file__)"],
                          cwd=copy, capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  warning: import {package} fails in {copy}: {last}", flush=True)
        return None
    return proc.stdout.strip()


def cmd_run(args):
    copy, venv = Path(args.copy).resolve(), Path(args.venv).resolve()
    conf = configparser.ConfigParser(interpolation=None)
    conf.read_string("[DEFAULT]\n" + (copy / ".stestr.conf").read_text().split("[DEFAULT]", 1)[-1])
    # `${TEST_PATH:-./nova/tests/unit}`, as the shell that stestr runs expands it.
    test_path = re.sub(r"\$\{(\w+):-([^}]*)\}",
                       lambda m: os.environ.get(m[1]) or m[2],
                       conf["DEFAULT"].get("test_path", ""))
    package = test_path.strip("./").split("/")[0]
    if package:
        where = check_import(copy, venv, package)
        if where is not None and not where.startswith(str(copy) + "/"):
            sys.exit(f"peer-tests: {package} imports from {where}, not from {copy}")
    meta = run_stestr(args, [], "run")
    # With --subunit stestr exits 0 whatever the tests do: only a crash or
    # the timeout shows here.
    print(f"  {meta['tests']} tests, {len(meta['failures'])} failing, {meta['seconds']} s"
          + (f" (stestr exit {meta['rc']}, see run.stderr)" if meta["rc"] != 0 else ""),
          flush=True)
    if not meta["tests"]:
        print(f"  warning: no test result from {copy}: see {args.out}/run.stderr", flush=True)


def cmd_rerun(args):
    tests = Path(args.tests).resolve()
    meta = run_stestr(args, ["--load-list", str(tests)], "rerun")
    print(f"  rerun of {meta['tests']} tests: {len(meta['failures'])} failing, "
          f"{meta['seconds']} s", flush=True)


# ---------------------------------------------------------------- report

def untangled(results, known):
    """results with each test id that stray stream bytes prefix (a worker's
    non-subunit output is passed through and glued to the next id:
    '0\ufffdyh\ufffdglance.tests...') given back its own id: the clean id of
    either run it ends with, or else what follows the last stray byte."""
    clean = {}
    for test, status in results.items():
        if re.search(r"[^\x20-\x7e]", test):
            ends = [k for k in known if test.endswith(k)]
            test = max(ends, key=len) if ends else re.split(r"[^\x20-\x7e]", test)[-1]
        clean[test] = status
    return clean


def cmd_compare(args):
    before_dir, after_dir = Path(args.before), Path(args.after)
    before, after = read_csv(before_dir / "run.csv"), read_csv(after_dir / "run.csv")
    known = {t for t in [*before, *after] if not re.search(r"[^\x20-\x7e]", t)}
    before, after = untangled(before, known), untangled(after, known)
    bmeta = json.loads((before_dir / "run.json").read_text())
    ameta = json.loads((after_dir / "run.json").read_text())
    failed_before = {t for t, s in before.items() if s in FAILED}
    failed_after = {t for t, s in after.items() if s in FAILED}
    passed_before = {t for t, s in before.items() if s in PASSED}
    passed_after = {t for t, s in after.items() if s in PASSED}
    newly_failing = sorted(failed_after & passed_before)
    newly_passing = sorted(passed_after & failed_before)
    lost = sorted(t for t in passed_before if t not in after)
    gained = sorted(t for t in after if t not in before)

    def count(results, status):
        return sum(1 for s in results.values() if s == status)

    print(f"== {args.name}")
    for label, results, meta in (("before", before, bmeta), ("after ", after, ameta)):
        print(f"  {label}: {len(results)} tests run, {count(results, 'success')} passed, "
              f"{len([t for t, s in results.items() if s in FAILED])} failed, "
              f"{count(results, 'skip')} skipped, {meta['seconds']} s"
              + (f" (stestr exit {meta['rc']})" if meta["rc"] != 0 else ""))
    if ameta["rc"] == "timeout" or bmeta["rc"] == "timeout":
        print("  WARNING: a run hit the timeout; its results are partial")

    rerun = {}
    for side in ("before", "after"):
        path = Path(args.before if side == "before" else args.after) / "rerun.csv"
        if path.exists():
            rerun[side] = read_csv(path)

    def show(title, tests, note=None):
        if tests:
            print(f"  {title} ({len(tests)}):")
            for test in tests:
                print(f"    {test}{note(test) if note else ''}")

    def rerun_note(test):
        notes = []
        for side in ("after", "before"):
            if side in rerun and test in rerun[side]:
                notes.append(f"rerun {side}: {rerun[side][test]}")
        return f"  [{'; '.join(notes)}]" if notes else ""

    # A run that gave no result (stestr stopped at discovery: an import
    # error of the environment) compares nothing: it is no "same".
    empty = [label for label, results in (("before", before), ("after", after)) if not results]
    if empty:
        print(f"  FAILED: no test result {' and '.join(empty)}: see run.stderr there")
        return 1
    show("fail after, passed before", newly_failing, rerun_note)
    show("passed before, did not run after", lost)
    show("failed before, pass after", newly_passing)
    show("only run after", gained)
    if not (newly_failing or lost or newly_passing or gained):
        print("  same results before and after")
    print(f"  tracebacks: {after_dir}/run-failing.txt, {before_dir}/run-failing.txt")
    return 1 if newly_failing or lost else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("constraints")
    c.add_argument("src")
    c.add_argument("name")
    c.add_argument("out")
    for name in ("run", "rerun"):
        r = sub.add_parser(name)
        r.add_argument("--venv", required=True)
        r.add_argument("--copy", required=True)
        r.add_argument("--out", required=True)
        r.add_argument("--concurrency", type=int, default=2)
        r.add_argument("--timeout", type=float, default=None)
        if name == "rerun":
            r.add_argument("--tests", required=True)
    m = sub.add_parser("compare")
    m.add_argument("--name", required=True)
    m.add_argument("--before", required=True)
    m.add_argument("--after", required=True)
    newly = sub.add_parser("newly-failing")
    newly.add_argument("--before", required=True)
    newly.add_argument("--after", required=True)
    args = parser.parse_args()
    if args.command == "constraints":
        cmd_constraints(args)
    elif args.command == "run":
        cmd_run(args)
    elif args.command == "rerun":
        cmd_rerun(args)
    elif args.command == "compare":
        sys.exit(cmd_compare(args))
    elif args.command == "newly-failing":
        before, after = read_csv(Path(args.before) / "run.csv"), read_csv(Path(args.after) / "run.csv")
        for test in sorted(t for t, s in after.items() if s in FAILED and before.get(t) in PASSED):
            print(test)


if __name__ == "__main__":
    main()
