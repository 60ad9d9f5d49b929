//! `eventless commit` and `eventless patches` on real temporary git
//! repositories: the series, its messages and Change-Ids, and what is left
//! untouched.

mod common;

use std::path::Path;

use common::{eventless, git};

const WORKER: &str = "import eventlet\nfrom eventlet import queue\n\nJOBS = queue.LightQueue(10)\n\n\ndef run():\n    try:\n        return JOBS.get_nowait()\n    except queue.Empty:\n        eventlet.sleep(1)\n";
const SERVICE: &str = "import eventlet\neventlet.monkey_patch()\n\nhub = eventlet.hubs.get_hub()\n";

fn repo(with_identity: bool) -> tempfile::TempDir {
    let dir = repo_of(&[
        ("pkg/worker.py", WORKER),
        ("pkg/service.py", SERVICE),
        (
            ".gitreview",
            "[gerrit]\nhost=review.opendev.org\nproject=openstack/pkg.git\n",
        ),
    ]);
    let d = dir.path();
    if !with_identity {
        git(d, &["config", "--unset", "user.name"]);
        git(d, &["config", "--unset", "user.email"]);
    }
    dir
}

/// A repository on `main` whose first commit holds `files`.
fn repo_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.name", "Ann Dev"]);
    git(d, &["config", "user.email", "ann@example.com"]);
    for (name, text) in files {
        let path = d.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "Initial"]);
    dir
}

/// Commits `files` (and the removal of `removed`) on top of the repository,
/// runs eventless with `args` (`commit .`), and returns the series'
/// messages, newest first.
fn series_after(d: &Path, files: &[(&str, &str)], removed: &[&str], args: &[&str]) -> Vec<String> {
    for (name, text) in files {
        std::fs::write(d.join(name), text).unwrap();
    }
    for name in removed {
        std::fs::remove_file(d.join(name)).unwrap();
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "Change"]);
    succeeds(d, args);
    messages(d)
}

/// The uses a commit message lists (`* API: N (transform ID)`).
fn listed(message: &str) -> Vec<&str> {
    message
        .lines()
        .take_while(|l| !l.starts_with("Left for manual work"))
        .filter(|l| l.starts_with("* "))
        .collect()
}

/// Runs eventless in `d`; fails the test, with its errors, if it fails.
fn succeeds(d: &Path, args: &[&str]) -> std::process::Output {
    let out = eventless(d, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn messages(dir: &Path) -> Vec<String> {
    let log = git(dir, &["log", "--format=%B%x00", "main..eventlet-removal"]);
    log.split('\0')
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn commit_builds_a_series_on_its_own_branch() {
    let dir = repo(true);
    let d = dir.path();
    let head_before = git(d, &["rev-parse", "HEAD"]);
    let out = succeeds(d, &["commit", "-s", "--partial-bug", "2004567", "."]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("git review -t eventlet-removal"));

    // The user's branch, HEAD and files are untouched.
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head_before);
    assert_eq!(git(d, &["symbolic-ref", "--short", "HEAD"]).trim(), "main");
    assert_eq!(
        std::fs::read_to_string(d.join("pkg/worker.py")).unwrap(),
        WORKER
    );
    assert!(git(d, &["status", "--porcelain"]).is_empty());

    let subjects = git(
        d,
        &["log", "--format=%s", "--reverse", "main..eventlet-removal"],
    );
    assert_eq!(
        subjects.lines().collect::<Vec<_>>(),
        [
            "Replace eventlet.sleep with time.sleep",
            "Replace eventlet queues with the queue module"
        ]
    );
    for message in messages(d) {
        let lines: Vec<&str> = message.lines().collect();
        assert!(
            lines[0].len() <= 50 && !lines[0].ends_with('.'),
            "summary: {}",
            lines[0]
        );
        assert!(lines[1].is_empty());
        assert!(
            lines.iter().all(|l| l.len() <= 72),
            "body wider than 72:\n{message}"
        );
        let trailers: Vec<&str> = message.rsplit("\n\n").next().unwrap().lines().collect();
        assert_eq!(trailers[0], "Partial-Bug: #2004567");
        assert_eq!(trailers[1], "Signed-off-by: Ann Dev <ann@example.com>");
        let change_id = trailers[2]
            .strip_prefix("Change-Id: I")
            .expect("Change-Id is last");
        assert!(
            change_id.len() == 40
                && change_id
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(trailers.len(), 3);
    }
    // The last commit lists what is left, with file and line.
    assert!(
        messages(d)[0].contains("Left for manual work"),
        "{}",
        messages(d)[0]
    );
    // Grouped by API and reason, with the places.
    let last = messages(d)[0]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        last.contains("* eventlet.hubs.get_hub (1): get_hub().schedule_call_global")
            && last.contains("no equivalent (pkg/service.py:4)"),
        "{last}"
    );

    // Every commit's tree parses.
    for commit in git(d, &["rev-list", "main..eventlet-removal"]).lines() {
        let text = git(d, &["show", &format!("{commit}:pkg/worker.py")]);
        let tree = eventless::python::parse::parse(&text);
        assert_eq!(
            eventless::python::parse::first_syntax_error(&tree),
            None,
            "{commit}:\n{text}"
        );
    }
}

/// A commit whose rewrites define a helper in the files says so, and
/// names it, for the reviewer who meets a new function in the diff.
#[test]
fn a_commit_that_adds_helpers_names_them() {
    let dir = repo(true);
    let d = dir.path();
    let jobs = "import eventlet\n\n\ndef resize(volume):\n    job = eventlet.spawn(volume.resize)\n    return job.wait()\n";
    // The service that monkey-patches runs the jobs.
    let service = format!("{SERVICE}\nimport jobs  # noqa\n");
    // A kept handle becomes a Future from a thread: start-order accepted.
    let config = "[options]\naccept = [\"start-order\"]\n";
    let messages = series_after(
        d,
        &[
            ("pkg/jobs.py", jobs),
            ("pkg/service.py", &service),
            ("eventless.toml", config),
        ],
        &[],
        &["commit", "."],
    );
    let threads = messages
        .iter()
        .find(|m| m.starts_with("Start threads with threading"))
        .expect("a commit for the start-order difference");
    assert!(
        threads.contains("helper function") && threads.contains("imports: `_spawn_future`."),
        "{threads}"
    );
    assert!(
        messages
            .iter()
            .filter(|m| m.contains("helper function"))
            .count()
            == 1,
        "{messages:?}"
    );
}

/// A comment about green threads beside a rewritten line is listed for
/// the reviewer, who alone can say whether it still holds.
#[test]
fn a_commit_lists_the_comments_its_rewrites_may_make_wrong() {
    let dir = repo(true);
    let d = dir.path();
    let worker = WORKER.replace(
        "        eventlet.sleep(1)\n",
        "        # Let the other greenthreads fill the queue.\n        eventlet.sleep(1)\n",
    );
    let messages = series_after(d, &[("pkg/worker.py", &worker)], &[], &["commit", "."]);
    let sleep = messages
        .iter()
        .find(|m| m.starts_with("Replace eventlet.sleep with time.sleep"))
        .expect("a commit for the sleep");
    assert!(
        sleep.contains(
            "Comments or log messages beside the rewritten lines speak of eventlet or\ngreen \
             threads; check that they still hold:\n\n* pkg/worker.py:11\n"
        ),
        "{sleep}"
    );
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.contains("Comments or log messages beside"))
            .count(),
        1,
        "{messages:?}"
    );
}

/// The switch off eventlet is one commit, which says what the switch
/// means: the pool moves first, to an executor while threads are still
/// patched (the commit of its differences), then monkey_patch() goes in
/// the commit of the resolver difference it has, which leaves the pool's
/// lines as they are and so does not list it again.
#[test]
fn the_switch_off_eventlet_is_one_commit_that_says_so() {
    let dir = repo(true);
    let d = dir.path();
    let service = "import eventlet\n\neventlet.monkey_patch()\n\n\n\
                   def resize_all(instances, size):\n    pool = eventlet.GreenPool(4)\n    \
                   for instance in instances:\n        pool.spawn_n(instance.resize, size)\n    \
                   pool.waitall()\n";
    std::fs::write(d.join("pkg/service.py"), service).unwrap();
    std::fs::remove_file(d.join("pkg/worker.py")).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "Change"]);
    assert!(
        messages_of_commit(d, &["commit", "."]).is_empty(),
        "the default level leaves the pool"
    );
    let messages = messages_of_commit(d, &["commit", "--review", "."]);
    assert_eq!(messages.len(), 2, "{messages:?}");
    let (switch, pool) = (&messages[0], &messages[1]);
    // Its tasks' exceptions unprinted, as maintainers write it: the
    // message names no helper, since none is added.
    assert!(
        pool.starts_with("Run pooled work on thread pool executors\n")
            && pool.contains("(transform greenpool-executor-patched)")
            && pool.contains("backpressure")
            && pool.contains("difference unprinted-exception")
            && !pool.contains("helper function")
            && !pool.contains("monkey_patch"),
        "{pool}"
    );
    assert!(
        switch.starts_with("Look host names up with the system resolver\n")
            && switch
                .contains("* eventlet.patcher.monkey_patch: 1 (transform remove-monkey-patch)")
            && !switch.contains("GreenPool")
            && !switch.contains("backpressure")
            && switch.contains("runs on native, preemptive threads")
            && switch.contains("Review level, difference resolver"),
        "{switch}"
    );
    // Where the program turned greendns off, the pool and the switch are
    // one commit again.
    let off = format!("import os\n\nos.environ['EVENTLET_NO_GREENDNS'] = 'yes'\n\n{service}")
        .replace("import eventlet\n", "import eventlet  # noqa: E402\n");
    std::fs::write(d.join("pkg/service.py"), off).unwrap();
    git(d, &["checkout", "-q", "main"]);
    git(d, &["branch", "-q", "-D", "eventlet-removal"]);
    git(d, &["commit", "-q", "-am", "No greendns"]);
    // The setting that turned it off goes last, in a commit of its own.
    let messages = messages_of_commit(d, &["commit", "--review", "."]);
    assert_eq!(messages.len(), 2, "{messages:?}");
    let (setting, switch) = (&messages[0], &messages[1]);
    assert!(
        switch.contains("(transform greenpool-executor)")
            && switch.contains("runs on native, preemptive threads")
            && !switch.contains("eventlet:environment"),
        "{switch}"
    );
    assert!(
        setting.starts_with("Drop eventlet's settings from the environment\n")
            && setting.contains("* eventlet:environment: 1 (transform environment)")
            && setting.contains("Review level, difference inherited-environment")
            && setting.contains("* pkg/service.py:3\n"),
        "{setting}"
    );
    let service = git(d, &["show", "eventlet-removal:pkg/service.py"]);
    assert!(
        service.starts_with("import concurrent.futures\n\n\n")
            && service.contains("pool.submit(instance.resize, size)\n"),
        "{service}"
    );
}

/// A program whose only eventlet use is a green thread runs on native
/// threads once it is rewritten, though no monkey_patch() goes: that commit
/// makes the switch too, and says so.
#[test]
fn a_switch_without_monkey_patch_says_so() {
    let dir = repo(true);
    let starter = "import eventlet\n\n\ndef start(job):\n    eventlet.spawn(job)\n";
    let messages = series_after(
        dir.path(),
        &[("pkg/service.py", starter)],
        &["pkg/worker.py"],
        &["commit", "--review", "."],
    );
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("(transform spawn-statement)")
            && messages[0].contains("runs on native, preemptive threads"),
        "{}",
        messages[0]
    );
}

/// The messages of the series `eventless ARGS` makes (none when it makes
/// no commit).
fn messages_of_commit(d: &Path, args: &[&str]) -> Vec<String> {
    succeeds(d, args);
    let made = git(d, &["branch", "--list", "eventlet-removal"]);
    if made.trim().is_empty() {
        Vec::new()
    } else {
        messages(d)
    }
}

/// A rewrite that keeps its text (the green socket's uses, where only the
/// import changes) is counted by the commit that changes its import.
#[test]
fn a_commit_counts_the_uses_whose_import_alone_changes() {
    let dir = repo_of(&[(
        "a.py",
        "import eventlet\nfrom eventlet.green import socket\n\n\ndef family():\n    \
         eventlet.sleep(1)\n    return socket.AF_INET\n",
    )]);
    let d = dir.path();
    let messages = messages_of_commit(d, &["commit", "--assume-monkey-patched", "."]);
    let green = messages
        .iter()
        .find(|m| m.starts_with("Replace eventlet.green modules"))
        .expect("a commit for the green socket");
    let words = green.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("replaces 1 use of eventlet in 1 file")
            && words.contains("eventlet.green.socket: 1 (transform green-network)"),
        "{green}"
    );
}

/// With --review, the review-level rewrites come after the exact ones, in a
/// commit per behaviour difference whose message names the difference, what
/// to check and every place it applies.
#[test]
fn review_rewrites_are_committed_by_difference() {
    let dir = repo(true);
    let d = dir.path();
    let service = "import eventlet\n\neventlet.monkey_patch()\n\n\n\
                   def start(loop, delay):\n    eventlet.sleep(1)\n    eventlet.spawn_n(loop)\n    \
                   eventlet.spawn_after(delay, loop)\n    eventlet.sleep(delay)\n";
    std::fs::write(d.join("pkg/service.py"), service).unwrap();
    git(d, &["commit", "-qam", "Service"]);
    succeeds(d, &["commit", "--review", "."]);
    // Oldest first.
    let messages: Vec<String> = messages(d).into_iter().rev().collect();
    let subjects: Vec<&str> = messages.iter().map(|m| m.lines().next().unwrap()).collect();
    let start = subjects
        .iter()
        .position(|s| *s == "Start threads with threading");
    let timer = subjects
        .iter()
        .position(|s| *s == "Use threading timers and futurist thread pools");
    let sleep = subjects
        .iter()
        .position(|s| *s == "Replace eventlet.sleep with time.sleep");
    assert!(
        sleep < start && start < timer && start.is_some(),
        "exact first, then one commit per difference: {subjects:?}"
    );
    let started = &messages[start.unwrap()];
    assert!(
        started.contains("Review level, difference start-order: The new thread may start")
            && started.contains("* pkg/service.py:8")
            && !started.contains("exit-waits"),
        "{started}"
    );
    let timed = &messages[timer.unwrap()];
    assert!(
        timed.contains("difference exit-waits") && timed.contains("* pkg/service.py:9"),
        "{timed}"
    );
    // The exact commit guards the computed delay; the review commit that
    // drops the guard lists it, though the same transform made both.
    let delays = messages
        .iter()
        .find(|m| m.starts_with("Pass computed delays to time.sleep as they are"))
        .expect("a commit for the negative-delay difference");
    assert!(
        delays.contains("replaces 1 use of eventlet") && delays.contains("* pkg/service.py:10"),
        "{delays}"
    );
}

/// A re-run never drops a person's commit from the branch (it refuses and
/// names it, unless --force), and leaves an identical series untouched.
#[test]
fn a_rerun_keeps_the_branch_of_people() {
    let dir = repo(true);
    let d = dir.path();
    assert!(eventless(d, &["commit", "."]).status.success());
    let tip = || git(d, &["rev-parse", "eventlet-removal"]);
    let first = tip();
    let again = eventless(d, &["commit", "."]);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is unchanged: left as it is"));
    assert_eq!(tip(), first, "no new commits for an identical series");

    git(d, &["checkout", "-q", "eventlet-removal"]);
    std::fs::write(d.join("NOTES"), "follow-up\n").unwrap();
    git(d, &["add", "NOTES"]);
    git(d, &["commit", "-q", "-m", "Fix up the series by hand"]);
    let mine = tip();
    git(d, &["checkout", "-q", "main"]);
    let refused = eventless(d, &["commit", "."]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("1 commit(s) eventless did not make")
            && err.contains("Fix up the series by hand"),
        "{err}"
    );
    assert_eq!(tip(), mine, "the branch is left as it was");
    assert!(eventless(d, &["commit", "--force", "."]).status.success());
    let log = git(d, &["log", "--format=%s", "main..eventlet-removal"]);
    assert!(
        !log.contains("Fix up the series by hand"),
        "--force replaces it: {log}"
    );
    assert_eq!(
        git(d, &["rev-parse", "eventlet-removal^{tree}"]),
        git(d, &["rev-parse", &format!("{}^{{tree}}", first.trim())])
    );
}

#[test]
fn a_rerun_keeps_the_change_ids() {
    let dir = repo(true);
    let d = dir.path();
    assert!(eventless(d, &["commit", "."]).status.success());
    let first = git(
        d,
        &[
            "log",
            "--format=%(trailers:key=Change-Id,valueonly)",
            "main..eventlet-removal",
        ],
    );
    // The base moves on (as after a rebase), and the series is made again.
    std::fs::write(d.join("README"), "docs\n").unwrap();
    git(d, &["add", "README"]);
    git(d, &["commit", "-q", "-m", "Add a README"]);
    assert!(eventless(d, &["commit", "."]).status.success());
    let second = git(
        d,
        &[
            "log",
            "--format=%(trailers:key=Change-Id,valueonly)",
            "main..eventlet-removal",
        ],
    );
    assert_eq!(first, second);
    assert_eq!(
        git(d, &["merge-base", "main", "eventlet-removal"]),
        git(d, &["rev-parse", "main"])
    );
}

#[test]
fn patches_apply_with_git_am_to_the_same_trees() {
    let dir = repo(true);
    let d = dir.path();
    assert!(eventless(d, &["commit", "."]).status.success());
    let out_dir = d.join("out");
    succeeds(d, &["patches", "--out", out_dir.to_str().unwrap(), "."]);
    let mut patches: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    patches.sort();
    assert_eq!(patches.len(), 2);
    assert!(
        patches[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("0001-")
    );
    git(d, &["checkout", "-q", "-b", "applied", "main"]);
    let mut args = vec!["am", "-q"];
    let names: Vec<String> = patches.iter().map(|p| p.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    git(d, &args);
    assert_eq!(
        git(d, &["rev-parse", "applied^{tree}"]),
        git(d, &["rev-parse", "eventlet-removal^{tree}"])
    );
    // A second run into the same folder would leave `git am DIR/*.patch`
    // applying both: it is refused, and the folder stays as it was.
    git(d, &["checkout", "-q", "main"]);
    let again = eventless(
        d,
        &[
            "patches",
            "--allow-dirty",
            "--out",
            out_dir.to_str().unwrap(),
            ".",
        ],
    );
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds 2 .patch file(s)"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 2);
}

#[test]
fn a_dirty_tree_is_refused_unless_allowed_and_then_stays_out() {
    let dir = repo(true);
    let d = dir.path();
    std::fs::write(d.join("pkg/service.py"), format!("{SERVICE}# local edit\n")).unwrap();
    let out = eventless(d, &["commit", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("uncommitted changes"));
    succeeds(d, &["commit", "--allow-dirty", "."]);
    let service = git(d, &["show", "eventlet-removal:pkg/service.py"]);
    assert_eq!(service, SERVICE, "the user's edit must not be committed");
    assert!(
        std::fs::read_to_string(d.join("pkg/service.py"))
            .unwrap()
            .ends_with("# local edit\n")
    );
}

#[test]
fn gerrit_change_id_can_be_turned_off() {
    let dir = repo(true);
    let d = dir.path();
    git(d, &["config", "gerrit.createChangeId", "false"]);
    assert!(eventless(d, &["commit", "."]).status.success());
    assert!(messages(d).iter().all(|m| !m.contains("Change-Id:")));
}

#[test]
fn clear_errors_outside_a_repository_and_without_an_identity() {
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("a.py"), WORKER).unwrap();
    let out = eventless(plain.path(), &["commit", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));

    let dir = repo(false);
    let out = eventless(dir.path(), &["commit", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("git config user.name"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_configuration_sets_commit_defaults() {
    let dir = repo(true);
    let d = dir.path();
    std::fs::write(
        d.join("eventless.toml"),
        "[commit]\nbranch = \"no-eventlet\"\nsignoff = true\nfooters = [\"Implements: blueprint eventlet-removal\"]\n",
    )
    .unwrap();
    git(d, &["add", "eventless.toml"]);
    git(d, &["commit", "-q", "-m", "Configure eventless"]);
    succeeds(d, &["commit", "."]);
    let last = git(d, &["log", "-1", "--format=%B", "no-eventlet"]);
    let trailers: Vec<&str> = last
        .trim_end()
        .rsplit("\n\n")
        .next()
        .unwrap()
        .lines()
        .collect();
    assert_eq!(trailers[0], "Implements: blueprint eventlet-removal");
    assert_eq!(trailers[1], "Signed-off-by: Ann Dev <ann@example.com>");
    assert!(trailers[2].starts_with("Change-Id: I"));
}

/// The `git review` hint is given only where it sends the series where it
/// was built: not from a detached HEAD, nor another branch than .gitreview's.
#[test]
fn the_review_hint_matches_where_the_series_was_built() {
    let dir = repo(true);
    let d = dir.path();
    let hint = |args: &[&str]| String::from_utf8_lossy(&eventless(d, args).stderr).into_owned();
    git(d, &["checkout", "-q", "--detach"]);
    let detached = hint(&["commit", "--branch", "a", "."]);
    assert!(detached.contains("built on a detached HEAD"), "{detached}");
    git(d, &["checkout", "-q", "main"]);
    std::fs::write(
        d.join(".gitreview"),
        "[gerrit]\nhost=review.opendev.org\nproject=openstack/pkg.git\ndefaultbranch=stable/2024.1\n",
    )
    .unwrap();
    git(d, &["commit", "-qam", "Target stable"]);
    let other = hint(&["commit", "--branch", "b", "."]);
    assert!(
        other.contains("built on main, but .gitreview sends changes to stable/2024.1"),
        "{other}"
    );
}

const TEST_A: &str = "from unittest import mock\n\nfrom pkg.a import manager\n\n\n\
                      @mock.patch('eventlet.sleep')\ndef test_wait(fake_sleep):\n    \
                      manager.wait()\n    fake_sleep.assert_called_once_with(1)\n";
const TEST_QUEUE: &str = "from eventlet import queue\n\n\ndef test_queue():\n    \
                          q = queue.LightQueue()\n    q.put(1)\n    assert q.get() == 1\n";

/// Two managers that sleep, a test that mocks eventlet's sleep under one
/// of them, a test of something else, and the requirement.
fn mocked_repo() -> tempfile::TempDir {
    repo_of(&[
        ("pkg/__init__.py", ""),
        ("pkg/a/__init__.py", ""),
        (
            "pkg/a/manager.py",
            "import eventlet\n\n\ndef wait():\n    eventlet.sleep(1)\n",
        ),
        ("pkg/b/__init__.py", ""),
        (
            "pkg/b/manager.py",
            "import eventlet\n\n\ndef pause():\n    eventlet.sleep(2)\n",
        ),
        ("pkg/tests/__init__.py", ""),
        ("pkg/tests/test_a.py", TEST_A),
        ("pkg/tests/test_queue.py", TEST_QUEUE),
        ("requirements.txt", "pbr>=2.0.0\neventlet>=0.30.1\n"),
    ])
}

/// In every commit of the series, the code that sleeps and the test that
/// mocks its sleep are both on eventlet or both off it, so the unit tests
/// pass at each commit.
fn assert_mocks_follow_code(d: &Path) {
    let commits = git(d, &["rev-list", "--reverse", "main..eventlet-removal"]);
    let mut moved = false;
    for commit in commits.lines() {
        let show = |path: &str| git(d, &["show", &format!("{commit}:{path}")]);
        let code = show("pkg/a/manager.py").contains("time.sleep(");
        let mock = show("pkg/tests/test_a.py").contains("mock.patch('time.sleep')");
        assert_eq!(code, mock, "{commit}: code moved, mock moved {mock}");
        moved |= mock;
    }
    assert!(moved, "the series moves the sleeps off eventlet");
}

/// The commits of the series that change `path`.
fn commits_changing(d: &Path, path: &str) -> String {
    git(d, &["rev-list", "main..eventlet-removal", "--", path])
}

#[test]
fn a_split_by_file_keeps_the_mocks_with_the_code() {
    let dir = mocked_repo();
    let d = dir.path();
    succeeds(d, &["commit", "--review", "--split", "file", "."]);
    let subjects = git(
        d,
        &["log", "--format=%s", "--reverse", "main..eventlet-removal"],
    );
    assert_eq!(
        subjects.lines().collect::<Vec<_>>(),
        [
            "Move pkg.a.manager and 2 more modules off eventlet",
            "Move pkg.tests.test_queue off eventlet",
            "Drop eventlet from requirements.txt",
        ]
    );
    let mocked = commits_changing(d, "pkg/tests/test_a.py");
    assert_eq!(mocked.lines().count(), 1);
    assert_eq!(commits_changing(d, "pkg/a/manager.py"), mocked);
    assert_eq!(commits_changing(d, "pkg/b/manager.py"), mocked);
    assert_ne!(commits_changing(d, "pkg/tests/test_queue.py"), mocked);
    assert_mocks_follow_code(d);
    // Each message counts its own commit's rewrites only.
    let sleeps = git(d, &["log", "-1", "--format=%B", mocked.trim()]);
    let sleeps = sleeps.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        sleeps.contains("replaces 3 uses of eventlet in 3 files") && !sleeps.contains("LightQueue"),
        "{sleeps}"
    );
}

/// Uses left for a person in files no commit changes are listed in the
/// last commit of a split by file, as in a split by family.
#[test]
fn a_split_by_file_lists_what_is_left_in_unchanged_files() {
    let dir = repo_of(&[
        ("pkg/__init__.py", ""),
        (
            "pkg/a.py",
            "import eventlet\n\n\ndef wait():\n    eventlet.sleep(1)\n",
        ),
        (
            "pkg/c.py",
            "import eventlet.wsgi\n\n\ndef serve(sock, app):\n    eventlet.wsgi.server(sock, app)\n",
        ),
    ]);
    let d = dir.path();
    succeeds(d, &["commit", "--split", "file", "."]);
    let last = git(d, &["log", "-1", "--format=%B", "eventlet-removal"]);
    assert!(last.contains("pkg/c.py") && last.contains("wsgi"), "{last}");
}

/// The switch off eventlet comes after the files that still used eventlet,
/// whatever their paths.
#[test]
fn a_split_by_file_makes_the_switch_last() {
    let dir = repo_of(&[
        ("pkg/__init__.py", ""),
        (
            "pkg/app.py",
            "import eventlet\neventlet.monkey_patch()\n\nfrom pkg import worker  # noqa\n",
        ),
        (
            "pkg/worker.py",
            "import eventlet\n\n\ndef wait():\n    eventlet.sleep(1)\n",
        ),
    ]);
    let d = dir.path();
    assert!(
        eventless(
            d,
            &["commit", "--split", "file", "--accept", "resolver", "."]
        )
        .status
        .success()
    );
    let messages: Vec<String> = messages(d).into_iter().rev().collect();
    let subjects: Vec<&str> = messages.iter().map(|m| m.lines().next().unwrap()).collect();
    assert_eq!(
        subjects,
        ["Move pkg.worker off eventlet", "Move pkg.app off eventlet"]
    );
    assert!(
        messages[1].contains("Nothing else in the tree uses eventlet"),
        "{}",
        messages[1]
    );
}

/// A split by family makes each commit with a run of its own, whose
/// mocks follow its code: the mocked sleep goes with its mock in the
/// commit of the mock's difference, the sleep no test mocks in the exact
/// commit before it.
#[test]
fn a_split_by_family_keeps_the_mocks_with_the_code() {
    let dir = mocked_repo();
    let d = dir.path();
    succeeds(d, &["commit", "--review", "--split", "family", "."]);
    let mocked = commits_changing(d, "pkg/tests/test_a.py");
    assert_eq!(mocked.lines().count(), 1);
    assert_eq!(commits_changing(d, "pkg/a/manager.py"), mocked);
    let subject = git(d, &["log", "-1", "--format=%s", mocked.trim()]);
    assert_eq!(
        subject.trim(),
        "Patch stdlib names where tests patched eventlet"
    );
    let unmocked = commits_changing(d, "pkg/b/manager.py");
    assert_ne!(unmocked, mocked);
    // The exact commit comes first (git fails otherwise).
    git(
        d,
        &[
            "merge-base",
            "--is-ancestor",
            unmocked.trim(),
            mocked.trim(),
        ],
    );
    assert_mocks_follow_code(d);
}

/// A dry run shows the Change-Ids the commit then uses: those kept from
/// the series on the branch, and for a new one (made from the time of
/// the real run, as Gerrit's hook does) a placeholder.
#[test]
fn a_dry_run_shows_only_the_change_ids_the_commit_uses() {
    let dir = repo(true);
    let d = dir.path();
    let shown = || -> Vec<String> {
        let out = eventless(d, &["commit", "--dry-run", "."]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("Change-Id: "))
            .map(str::to_owned)
            .collect()
    };
    let committed = || -> Vec<String> {
        git(
            d,
            &[
                "log",
                "--format=%(trailers:key=Change-Id,valueonly)",
                "main..eventlet-removal",
            ],
        )
        .split_whitespace()
        .map(str::to_owned)
        .collect()
    };
    const NEW: &str = "(new, assigned when committed)";
    assert_eq!(shown(), [NEW, NEW]);
    assert!(eventless(d, &["commit", "."]).status.success());
    let first = committed();
    assert_eq!(first.len(), 2);

    // The base moves on with a lock, a family the series did not have.
    std::fs::write(
        d.join("pkg/locks.py"),
        "from eventlet import semaphore\n\nLOCK = semaphore.Semaphore()\n",
    )
    .unwrap();
    git(d, &["add", "pkg/locks.py"]);
    git(d, &["commit", "-q", "-m", "Add a lock"]);
    let (new, mut kept): (Vec<String>, Vec<String>) = shown().into_iter().partition(|id| id == NEW);
    assert_eq!(new.len(), 1, "the lock's commit is new");
    kept.sort();
    let mut expected = first.clone();
    expected.sort();
    assert_eq!(kept, expected, "the others keep their Change-Ids");
    assert!(eventless(d, &["commit", "."]).status.success());
    let second = committed();
    assert_eq!(second.len(), 3);
    assert!(
        kept.iter().all(|id| second.contains(id)),
        "{kept:?} {second:?}"
    );
}

/// The shared helpers module is added by the commit that first calls it,
/// whose message says where the helper is.
#[test]
fn the_helpers_module_lands_in_the_commit_that_first_calls_it() {
    let dir = repo(true);
    let d = dir.path();
    let resize = "import eventlet\n\n\ndef resize_all(instances, size):\n    first = eventlet.spawn(instances[0].resize, size)\n    return first.wait()\n";
    std::fs::write(d.join("setup.cfg"), "[metadata]\nname = pkg\n").unwrap();
    std::fs::write(d.join("pkg/__init__.py"), "").unwrap();
    std::fs::write(d.join("pkg/resize.py"), resize).unwrap();
    // A second caller: one file alone would define the helper itself.
    let ping =
        "import eventlet\n\n\ndef ping(host):\n    return eventlet.spawn(host.ping).wait()\n";
    std::fs::write(d.join("pkg/ping.py"), ping).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "Resize"]);
    let out = eventless(
        d,
        &[
            "commit",
            "--assume-monkey-patched",
            "--accept",
            "start-order",
            ".",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let commits = git(d, &["rev-list", "--reverse", "main..eventlet-removal"]);
    let added: Vec<String> = commits
        .lines()
        .map(|c| git(d, &["show", "--format=%s", "--name-status", c]))
        .collect();
    let first = added
        .iter()
        .position(|show| show.contains("pkg/resize.py"))
        .expect("a commit rewrites the spawn");
    for (n, show) in added.iter().enumerate() {
        assert_eq!(
            show.contains("A\tpkg/threading_helpers.py"),
            n == first,
            "commit {n}:\n{show}"
        );
    }
    let message = &messages(d)[added.len() - 1 - first];
    let words = message.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("defined once in pkg/threading_helpers.py: `spawn_future`"),
        "{message}"
    );
}

/// A place the review commit lists says where a difference that comes from
/// the programs shows: the command that never patches, and where the green
/// threads it imports start.
#[test]
fn a_review_commit_says_which_program_a_difference_comes_from() {
    let dir = repo_of(&[
        (
            "main.py",
            "import naps\nimport workers\n\nif __name__ == '__main__':\n    workers.start(print).wait()\n    naps.nap()\n",
        ),
        (
            "naps.py",
            "import eventlet\n\n\ndef nap():\n    eventlet.sleep(0.05)\n",
        ),
        (
            "workers.py",
            "import eventlet\n\n\ndef start(function):\n    return eventlet.spawn(function)\n",
        ),
    ]);
    let d = dir.path();
    succeeds(d, &["commit", "--review", "."]);
    let message = messages(d)
        .into_iter()
        .find(|m| m.contains("difference unpatched-program"))
        .expect("a commit for the unpatched-program difference");
    assert!(
        message.contains("* naps.py:5 (green threads or hub timers run in")
            && message.contains("(workers.py:5 eventlet.greenthread.spawn)"),
        "{message}"
    );
}

/// A rewrite is listed in the commit that makes it only: the switch made
/// in the patcher commit is not listed again in the requirement commit
/// after it, which does not make the switch.
#[test]
fn a_rewrite_is_listed_only_in_the_commit_that_makes_it() {
    let service = "import os\n\nos.environ['EVENTLET_NO_GREENDNS'] = 'yes'\n\n\
                   import eventlet  # noqa: E402\n\neventlet.monkey_patch()\n\n\n\
                   def nap():\n    eventlet.sleep(1)\n";
    let dir = repo_of(&[
        (
            "setup.cfg",
            "[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    \
             svc = pkg.service:nap\n",
        ),
        ("requirements.txt", "eventlet>=0.30\noslo.config\n"),
        ("pkg/__init__.py", ""),
        ("pkg/service.py", service),
    ]);
    // Oldest first.
    let messages: Vec<String> = messages_of_commit(dir.path(), &["commit", "."])
        .into_iter()
        .rev()
        .collect();
    let switch = "Nothing else in the tree uses eventlet after this change";
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(
        listed(&messages[1]),
        ["* eventlet.patcher.monkey_patch: 1 (transform remove-monkey-patch)"],
        "{}",
        messages[1]
    );
    assert!(messages[1].contains(switch), "{}", messages[1]);
    assert_eq!(
        listed(&messages[2]),
        ["* eventlet:requirement: 1 (transform requirement)"],
        "{}",
        messages[2]
    );
    assert!(!messages[2].contains(switch), "{}", messages[2]);
    // The setting that only tuned eventlet is for a person to delete.
    assert!(
        messages[2].contains(
            "Left for manual work (1 use):\n\n* eventlet:environment (1): nothing imports \
             eventlet any more: the\n  setting goes"
        ),
        "{}",
        messages[2]
    );
}

/// A rewrite whose line another rewrite changes later is listed where it
/// was made: a sleep beside a spawn is the sleep commit's, not again the
/// start-order commit's.
#[test]
fn a_rewrite_sharing_its_line_is_listed_where_it_was_made() {
    let dir = repo(true);
    let service = "import eventlet\n\neventlet.monkey_patch()\n\n\n\
                   def start(loop):\n    eventlet.sleep(1); eventlet.spawn_n(loop)\n";
    let messages = series_after(
        dir.path(),
        &[("pkg/service.py", service)],
        &["pkg/worker.py"],
        &["commit", "--review", "."],
    );
    // The subjects of the commits that list the API.
    let listing = |api: &str| {
        messages
            .iter()
            .filter(|m| {
                listed(m)
                    .iter()
                    .any(|l| l.starts_with(&format!("* {api}:")))
            })
            .map(|m| m.lines().next().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listing("eventlet.greenthread.sleep").len(),
        1,
        "{messages:?}"
    );
    assert_eq!(
        listing("eventlet.greenthread.spawn_n").len(),
        1,
        "{messages:?}"
    );
    assert_ne!(
        listing("eventlet.greenthread.sleep"),
        listing("eventlet.greenthread.spawn_n"),
        "{messages:?}"
    );
}

/// Helpers that only tests call are defined beside them, in the tests'
/// package, by the commit that first calls them; no commit of the series
/// adds a module to the package itself.
#[test]
fn a_series_defines_helpers_only_tests_call_beside_them() {
    let resize = "import eventlet\n\n\ndef resize_all(instances, size):\n    \
                  first = eventlet.spawn(instances[0].resize, size)\n    return first.wait()\n\n\n\
                  def nap():\n    eventlet.sleep(1)\n";
    let ping =
        "import eventlet\n\n\ndef ping(host):\n    return eventlet.spawn(host.ping).wait()\n";
    let dir = repo_of(&[
        ("setup.cfg", "[metadata]\nname = pkg\n"),
        ("pkg/__init__.py", ""),
        ("pkg/tests/__init__.py", ""),
        ("pkg/tests/unit/__init__.py", ""),
        ("pkg/tests/unit/test_resize.py", resize),
        ("pkg/tests/unit/net/__init__.py", ""),
        ("pkg/tests/unit/net/test_ping.py", ping),
    ]);
    let d = dir.path();
    let messages = messages_of_commit(d, &["commit", "--assume-monkey-patched", "--review", "."]);
    assert_eq!(messages.len(), 2, "{messages:?}");
    let threads = &messages[0];
    assert!(
        threads.starts_with("Start threads with threading\n")
            && threads.contains("pkg/tests/unit/threading_helpers.py: `spawn_future`"),
        "{threads}"
    );
    let touched = git(
        d,
        &["log", "--name-only", "--format=", "main..eventlet-removal"],
    );
    assert!(
        touched.contains("pkg/tests/unit/threading_helpers.py")
            && !touched.contains("pkg/threading_helpers.py"),
        "{touched}"
    );
}

/// Differences of the same lines (a pool becoming an executor has four)
/// share one section of the message: each named with what to check, then
/// the lines once.
#[test]
fn differences_of_the_same_lines_share_their_list() {
    let dir = repo(true);
    let d = dir.path();
    let service = "import eventlet\n\neventlet.monkey_patch()\n\n\n\
                   def run(jobs, work):\n    pool = eventlet.GreenPool(4)\n    \
                   for job in jobs:\n        pool.spawn_n(work, job)\n    pool.waitall()\n";
    std::fs::write(d.join("pkg/service.py"), service).unwrap();
    git(d, &["commit", "-qam", "Service"]);
    succeeds(d, &["commit", "--review", "."]);
    let messages = messages(d);
    let pooled = messages
        .iter()
        .find(|m| m.contains("Review level, differences "))
        .unwrap_or_else(|| panic!("no shared section: {messages:?}"));
    assert!(
        pooled.contains("at the same lines:")
            && pooled.contains("\n* start-order: ")
            && pooled.contains("\n* reused-worker: ")
            && pooled.matches("* pkg/service.py:7\n").count() == 1,
        "{pooled}"
    );
}
