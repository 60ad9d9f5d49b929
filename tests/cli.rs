//! The command line as a user meets it: exit codes, what is written and
//! what is left alone.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn eventless(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("eventless runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SLEEPY: &str =
    "import eventlet\n\n\ndef nap(t):\n    eventlet.sleep(t)\n    eventlet.sleep(1)\n";

/// The line of `text` (a report) that holds `site`.
fn line_with<'t>(text: &'t str, site: &str) -> &'t str {
    text.lines()
        .find(|l| l.contains(site))
        .unwrap_or_else(|| panic!("{site}:\n{text}"))
}

fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

#[test]
fn diff_check_exits_1_when_changes_would_be_made() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    let out = eventless(&["diff", "--check", "--color", "never"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diff = stdout(&out);
    assert!(diff.starts_with("--- a/a.py\n+++ b/a.py\n"), "{diff}");
    assert!(
        diff.contains("-    eventlet.sleep(1)\n") && diff.contains("+    time.sleep(1)\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        SLEEPY,
        "diff must not write"
    );
}

#[test]
fn a_diff_of_a_project_outside_the_working_folder_applies_at_its_root() {
    let project = tree(&[("pkg/a.py", SLEEPY.as_bytes())]);
    let elsewhere = tempfile::tempdir().unwrap();
    let root = project.path().to_str().unwrap();
    let out = eventless(&["diff", root, "--color", "never"], elsewhere.path());
    let diff = stdout(&out);
    assert!(
        diff.starts_with("--- a/pkg/a.py\n+++ b/pkg/a.py\n"),
        "{diff}"
    );
    let patch = elsewhere.path().join("rewrite.diff");
    std::fs::write(&patch, &diff).unwrap();
    let check = Command::new("git")
        .args(["apply", "--check", patch.to_str().unwrap()])
        .current_dir(project.path())
        .output()
        .expect("git runs");
    assert!(check.status.success(), "{}", stderr(&check));
}

/// A runner loads the test modules in one process: one that patches at
/// import patches the others' tests, so `patcher.original()` stays there.
#[test]
fn a_test_module_that_patches_keeps_the_original_modules_of_the_others() {
    let real_threads: &[u8] = b"import eventlet\n\nthreading = eventlet.patcher.original('threading')\n\n\ndef test_real_threads():\n    assert threading.Thread\n";
    let alone = tree(&[
        ("tests/__init__.py", b""),
        ("tests/test_a.py", real_threads),
    ]);
    let diff = eventless(&["diff", "--review", "--color", "never"], alone.path());
    assert!(
        stdout(&diff).contains("+import threading\n"),
        "{}",
        stdout(&diff)
    );
    let patching: &[u8] = b"import eventlet\nimport eventlet.wsgi\n\neventlet.monkey_patch()\n\n\ndef test_serve(sock, app):\n    eventlet.wsgi.server(sock, app)\n";
    let together = tree(&[
        ("tests/__init__.py", b""),
        ("tests/test_a.py", real_threads),
        ("tests/test_b.py", patching),
    ]);
    let scan = stdout(&eventless(&["scan", "--review"], together.path()));
    assert!(
        line_with(&scan, "test_a.py:3:").contains(
            "manual (with the switch): tests run this file, and a test module that a runner may \
             load in the same process calls monkey_patch() (./tests/test_b.py:4)"
        ),
        "{scan}"
    );
}

/// eventlet's green socket looks names up with greendns: the stdlib one
/// that replaces it, in a program that leaves socket unpatched, does not,
/// unless the package turned greendns off before eventlet loaded.
#[test]
fn green_socket_lookups_keep_their_resolver_or_say_so() {
    let net = "from eventlet.green import socket\n\n\ndef address(host):\n    \
               return socket.getaddrinfo(host, 80)[0][4]\n";
    let dir = tree(&[("pkg/__init__.py", b""), ("pkg/net.py", net.as_bytes())]);
    let scan = stdout(&eventless(&["scan"], dir.path()));
    assert!(
        line_with(&scan, "net.py:5:").contains(
            "a review-level rewrite by green-network with named differences (resolver: a \
             program that starts with pkg/net.py leaves greendns on"
        ),
        "{scan}"
    );
    // Constants and exceptions look nothing up.
    let timeout = "from eventlet.green import socket\n\n\ndef late(error):\n    \
                   return isinstance(error, socket.timeout)\n";
    let plain = tree(&[("pkg/__init__.py", b""), ("pkg/net.py", timeout.as_bytes())]);
    let diff = stdout(&eventless(&["diff", "--color", "never"], plain.path()));
    assert!(diff.contains("+import socket\n"), "{diff}");
    // cinder's package __init__ turns greendns off for every program.
    let init = b"import os\n\nos.environ['EVENTLET_NO_GREENDNS'] = 'yes'\n";
    let off = tree(&[("pkg/__init__.py", init), ("pkg/net.py", net.as_bytes())]);
    let diff = stdout(&eventless(&["diff", "--color", "never"], off.path()));
    assert!(diff.contains("+import socket\n"), "{diff}");
}

/// A test's mock of `time.sleep` catches the `time.sleep` that replaces
/// eventlet's sleep in code the test runs: one more call under the mock,
/// named at the review level. A test that does not run the code does not
/// count.
#[test]
fn a_stdlib_mock_that_catches_the_rewritten_call_is_named() {
    let code = b"import time\n\nimport eventlet\n\n\ndef retry():\n    eventlet.sleep(1)\n    \
                 time.sleep(2)\n";
    let test = b"import time\nfrom unittest import mock\n\nfrom pkg import mod\n\n\n\
                 @mock.patch.object(time, 'sleep')\ndef test_retry(sleep):\n    mod.retry()\n    \
                 sleep.assert_called_once_with(2)\n";
    let files = |test: &'static [u8]| {
        tree(&[
            ("pkg/__init__.py", b""),
            ("pkg/mod.py", code),
            ("pkg/tests/__init__.py", b""),
            ("pkg/tests/test_mod.py", test),
        ])
    };
    let caught = files(test);
    let scan = stdout(&eventless(&["scan"], caught.path()));
    assert!(
        line_with(&scan, "mod.py:7:").contains(
            "a review-level rewrite by sleep with named differences (caught-by-mock: the test \
             module pkg/tests/test_mod.py run alone mocks time.sleep \
             (./pkg/tests/test_mod.py:7), which now also catches the rewritten call)"
        ),
        "{scan}"
    );
    let diff = stdout(&eventless(
        &["diff", "--accept", "caught-by-mock"],
        caught.path(),
    ));
    assert!(diff.contains("+    time.sleep(1)\n"), "{diff}");
    // The module's own name for time, replaced in the module under test.
    let named = files(
        b"from unittest import mock\n\nfrom pkg import mod\n\n\n\
          @mock.patch('pkg.mod.time')\ndef test_retry(fake_time):\n    mod.retry()\n",
    );
    let scan = stdout(&eventless(&["scan"], named.path()));
    assert!(
        line_with(&scan, "mod.py:7:").contains("mocks this module's name 'time'"),
        "{scan}"
    );
    // A test module that never imports the code: the sleep is exact.
    let apart = files(
        b"import time\nfrom unittest import mock\n\n\n\
          @mock.patch.object(time, 'sleep')\ndef test_nap(sleep):\n    time.sleep(1)\n",
    );
    let scan = stdout(&eventless(&["scan"], apart.path()));
    assert!(
        line_with(&scan, "mod.py:7:").contains("rewrite by sleep (safe)"),
        "{scan}"
    );
    // The helper a rewrite calls makes the thread a mock of
    // threading.Thread catches.
    let spawn = tree(&[
        ("pkg/__init__.py", b""),
        (
            "pkg/mod.py",
            b"import eventlet\n\n\ndef start(job):\n    return eventlet.spawn(job).wait()\n",
        ),
        ("pkg/tests/__init__.py", b""),
        (
            "pkg/tests/test_mod.py",
            b"import threading\nfrom unittest import mock\n\nfrom pkg import mod\n\n\n\
              @mock.patch.object(threading, 'Thread')\ndef test_start(thread):\n    \
              mod.start(print)\n",
        ),
    ]);
    let scan = stdout(&eventless(&["scan", "--review"], spawn.path()));
    assert!(
        line_with(&scan, "mod.py:5:").contains("mocks threading.Thread"),
        "{scan}"
    );
    // A green module's member: its stdlib mock catches the call, while a
    // mock through the module's green name is eventlet's, and moves.
    let net = b"from eventlet.green import socket\n\n\ndef address(host):\n    \
                return socket.getaddrinfo(host, 80)[0][4]\n";
    let tested = |test: &'static [u8]| {
        let dir = tree(&[
            (
                "pkg/__init__.py",
                b"import os\n\nos.environ['EVENTLET_NO_GREENDNS'] = 'yes'\n",
            ),
            ("pkg/net.py", net),
            ("pkg/tests/__init__.py", b""),
            ("pkg/tests/test_net.py", test),
        ]);
        stdout(&eventless(&["scan"], dir.path()))
    };
    let scan = tested(
        b"import socket\nfrom unittest import mock\n\nfrom pkg import net\n\n\n\
          @mock.patch.object(socket, 'getaddrinfo')\ndef test_address(gai):\n    \
          net.address('h')\n",
    );
    assert!(
        line_with(&scan, "net.py:5:").contains("caught-by-mock: the test module"),
        "{scan}"
    );
    let scan = tested(
        b"from unittest import mock\n\nfrom pkg import net\n\n\n\
          @mock.patch('pkg.net.socket.getaddrinfo')\ndef test_address(gai):\n    \
          net.address('h')\n",
    );
    assert!(
        line_with(&scan, "net.py:5:").contains("(wider-mock: the tests' mocks")
            && !scan.contains("caught-by-mock"),
        "{scan}"
    );
}

#[test]
fn removing_monkey_patch_is_reported_as_a_whole_program_change() {
    let patched = "import eventlet\neventlet.monkey_patch()\n\nimport threading  # noqa: E402\n";
    let rest = "import eventlet\n\n\ndef nap():\n    eventlet.sleep(1)\n";
    let dir = tree(&[("cmd.py", patched.as_bytes()), ("work.py", rest.as_bytes())]);
    // Without monkey_patch(), the program's lookups leave greendns for
    // the system resolver: review level.
    let scan = stdout(&eventless(&["scan"], dir.path()));
    assert!(
        line_with(&scan, "cmd.py:2:").contains(
            "manual (with the switch): a review-level rewrite by remove-monkey-patch with named \
             differences (resolver: a program that starts with cmd.py leaves greendns on"
        ) && scan.contains(
            "verdict: eventlet cannot be switched off yet: no use needs a person; 1 more \
             changes only with the switch to native threads, once resolver is accepted\n"
        ),
        "{scan}"
    );
    let markdown = stdout(&eventless(&["scan", "--format", "markdown"], dir.path()));
    assert!(
        markdown.contains(
            "- cmd.py:2 : `eventlet.monkey_patch()` (manual; changes with the switch, once \
             --accept resolver)"
        ),
        "{markdown}"
    );
    let out = eventless(&["diff", "--color", "never"], dir.path());
    assert!(
        !stdout(&out).contains("-eventlet.monkey_patch()"),
        "{}",
        stdout(&out)
    );
    // A program that turned greendns off keeps its resolver.
    let greendns_off =
        format!("import os\n\nos.environ['EVENTLET_NO_GREENDNS'] = 'yes'\n\n{patched}");
    let off = tree(&[
        ("cmd.py", greendns_off.as_bytes()),
        ("work.py", rest.as_bytes()),
    ]);
    let out = eventless(&["diff", "--color", "never"], off.path());
    assert!(
        stdout(&out).contains("-eventlet.monkey_patch()\n"),
        "{}",
        stdout(&out)
    );
    let out = eventless(
        &["diff", "--color", "never", "--accept", "resolver"],
        dir.path(),
    );
    assert!(
        stderr(&out).contains("whole program (remove-monkey-patch): no eventlet is left"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("-eventlet.monkey_patch()\n"),
        "{}",
        stdout(&out)
    );
    // With one eventlet use left anywhere in the tree, monkey_patch() stays.
    let spawn = "import eventlet\n\neventlet.spawn(print).kill()\n";
    let dir = tree(&[
        ("cmd.py", patched.as_bytes()),
        ("work.py", spawn.as_bytes()),
    ]);
    let out = eventless(
        &["diff", "--color", "never", "--accept", "resolver"],
        dir.path(),
    );
    assert!(!stderr(&out).contains("whole program"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("monkey_patch"), "{}", stdout(&out));
    // At the default level its reason says what the switch will need.
    let scan = stdout(&eventless(&["scan"], dir.path()));
    let held = line_with(&scan, "cmd.py:2:");
    assert!(
        held.contains("manual (with the switch): other eventlet uses stay in this project")
            && held.ends_with("The switch rewrites it only with --accept resolver (or --review)."),
        "{scan}"
    );
    // A library the program imports runs on eventlet itself (oslo.service's
    // launcher): the process keeps eventlet, so monkey_patch() stays, and
    // says why, while the sleep moves.
    let service = format!("{patched}from oslo_service import service  # noqa: E402\n");
    let dir = tree(&[("cmd.py", service.as_bytes()), ("work.py", rest.as_bytes())]);
    let out = eventless(
        &["diff", "--color", "never", "--accept", "resolver"],
        dir.path(),
    );
    assert!(!stderr(&out).contains("whole program"), "{}", stderr(&out));
    assert!(
        !stdout(&out).contains("monkey_patch") && stdout(&out).contains("+    time.sleep(1)"),
        "{}",
        stdout(&out)
    );
    let scan = stdout(&eventless(&["scan", "--accept", "resolver"], dir.path()));
    assert!(
        scan.contains(
            "oslo_service.service (imported at ./cmd.py:5) runs on eventlet itself: the switch \
             to native threads also waits for that library to move off it"
        ),
        "{scan}"
    );
    assert!(
        line_with(&scan, "./cmd.py:2:").contains(
            "manual (with the switch): no other eventlet use stays in this project, but \
             oslo_service.service (imported at ./cmd.py:5) runs on eventlet itself"
        ),
        "{scan}"
    );
    // oslo.service's own tree imports its own modules, not installed ones.
    let dir = tree(&[
        ("eventless.toml", b"" as &[u8]),
        ("oslo_service/__init__.py", b""),
        ("oslo_service/service.py", b"def launch():\n    pass\n"),
        ("cmd.py", service.as_bytes()),
        ("work.py", rest.as_bytes()),
    ]);
    let out = eventless(
        &["diff", "--color", "never", "--accept", "resolver"],
        dir.path(),
    );
    assert!(
        stdout(&out).contains("-eventlet.monkey_patch()\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn diff_without_check_exits_0_and_clean_tree_exits_0() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    assert_eq!(eventless(&["diff"], dir.path()).status.code(), Some(0));
    let clean = tree(&[("b.py", b"import time\ntime.sleep(1)\n")]);
    let out = eventless(&["diff", "--check"], clean.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).is_empty());
}

#[test]
fn apply_writes_once_and_a_second_run_changes_nothing() {
    let dir = tree(&[
        ("pkg/a.py", SLEEPY.as_bytes()),
        ("pkg/plain.py", b"x = 1\n"),
    ]);
    let out = eventless(&["apply", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("a.py: 2 rewrites, 0 left for manual work"),
        "{}",
        stdout(&out)
    );
    let written = std::fs::read_to_string(dir.path().join("pkg/a.py")).unwrap();
    assert_eq!(
        written,
        "import time\n\n\ndef nap(t):\n    time.sleep(max(0, t))\n    time.sleep(1)\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("pkg/plain.py")).unwrap(),
        b"x = 1\n"
    );
    let again = eventless(&["diff", "--check"], dir.path());
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

/// A new import takes the module's own name unless a binding that a
/// rewritten line reads has it: mistral's test has a parameter `time` in
/// another method, which needs no `import time as time_mod`.
#[test]
fn a_new_import_is_aliased_only_where_a_rewritten_line_reads_the_name() {
    let elsewhere = b"import eventlet\n\n\ndef wait():\n    eventlet.sleep(1)\n\n\ndef check(duration, time):\n    return time < duration\n";
    let dir = tree(&[("a.py", elsewhere)]);
    let out = eventless(&["apply", "a.py"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        "import time\n\n\ndef wait():\n    time.sleep(1)\n\n\ndef check(duration, time):\n    return time < duration\n"
    );
    let here = b"import eventlet\n\n\ndef wait(time):\n    eventlet.sleep(1)\n    return time\n";
    let dir = tree(&[("a.py", here)]);
    let out = eventless(&["apply", "a.py"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        "import time as time_mod\n\n\ndef wait(time):\n    time_mod.sleep(1)\n    return time\n"
    );
}

/// blazar's test base class patches with `self.patch(obj, attr)`, which
/// hands both to `fixtures.MockPatchObject`: its mock of eventlet's sleep
/// holds the exact rewrite, and moves with the code at review level.
#[test]
fn a_mock_made_through_the_project_s_own_attribute_patcher_moves_with_the_code() {
    let base = b"import eventlet\neventlet.monkey_patch()\n\nimport fixtures  # noqa\nimport testtools  # noqa\n\n\nclass TestCase(testtools.TestCase):\n\n    def patch(self, obj, attr):\n        return self.useFixture(fixtures.MockPatchObject(obj, attr)).mock\n";
    let test = b"import eventlet\n\nfrom pkg import tests\nfrom pkg import worker\n\n\nclass TestWorker(tests.TestCase):\n\n    def test_wait(self):\n        sleep = self.patch(eventlet, 'sleep')\n        worker.wait()\n        sleep.assert_called_once_with(5)\n";
    let worker = b"import eventlet\n\n\ndef wait():\n    eventlet.sleep(5)\n";
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-worker = pkg.cmd:main\n"),
        ("pkg/__init__.py", b""),
        ("pkg/cmd.py", b"import eventlet\neventlet.monkey_patch()\n\nfrom pkg import worker  # noqa\n\n\ndef main():\n    worker.wait()\n"),
        ("pkg/worker.py", worker),
        ("pkg/tests/__init__.py", base),
        ("pkg/tests/test_worker.py", test),
    ]);
    let scan = stdout(&eventless(&["scan"], dir.path()));
    let sleep = line_with(&scan, "worker.py:5:5: eventlet.greenthread.sleep");
    assert!(
        sleep.contains("manual") && sleep.contains("wider-mock"),
        "{sleep}"
    );
    let out = eventless(&["apply", "--review", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |path: &str| std::fs::read_to_string(dir.path().join(path)).unwrap();
    assert!(read("pkg/worker.py").contains("    time.sleep(5)\n"));
    assert!(
        read("pkg/tests/test_worker.py").contains("sleep = self.patch(time, 'sleep')"),
        "{}",
        read("pkg/tests/test_worker.py")
    );
}

/// neutron-dynamic-routing's agent starts an oslo.service looping call,
/// and its test yields to it with eventlet's sleep: green threads run in
/// that test though the project's code never names eventlet, so the sleep
/// stays where nothing patches time.
#[test]
fn an_installed_module_that_starts_green_threads_keeps_the_program_green() {
    let agent = b"from oslo_service import loopingcall\n\n\nclass Agent:\n    def __init__(self, report):\n        self.heartbeat = loopingcall.FixedIntervalLoopingCall(report)\n        self.heartbeat.start(interval=1)\n";
    let test = b"from unittest import mock\n\nimport eventlet\n\nfrom pkg import agent\n\n\ndef test_reports():\n    report = mock.Mock()\n    agent.Agent(report)\n    eventlet.greenthread.sleep(1)\n    report.assert_called_once_with()\n";
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = pkg\n"),
        ("pkg/__init__.py", b""),
        ("pkg/agent.py", agent),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_agent.py", test),
    ]);
    let scan = stdout(&eventless(&["scan"], dir.path()));
    let sleep = line_with(&scan, "test_agent.py:11:5: eventlet.greenthread.sleep");
    assert!(
        sleep.contains("manual")
            && sleep.contains("pkg/agent.py:1 import of oslo_service.loopingcall")
            && sleep.contains("nothing in it monkey-patches 'time'"),
        "{sleep}"
    );
}

/// neutron's stadium projects patch by calling neutron's
/// `eventlet_utils.monkey_patch()` as their commands start: the program is
/// patched (its sleep is exact), and stays patched whatever the project
/// does, so is_monkey_patched() is not False even with the switch.
#[test]
fn a_patch_made_through_an_installed_wrapper_patches_the_program() {
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-agent = pkg.cmd.agent:main\n"),
        ("pkg/__init__.py", b""),
        ("pkg/cmd/__init__.py", b"from neutron.common import eventlet_utils\n\neventlet_utils.monkey_patch()\n"),
        ("pkg/cmd/agent.py", b"from pkg import work\n\n\ndef main():\n    work.run()\n"),
        ("pkg/work.py", b"import eventlet\nfrom eventlet import patcher\n\n\ndef run():\n    if patcher.is_monkey_patched('thread'):\n        print('green')\n    eventlet.sleep(1)\n"),
    ]);
    let scan = stdout(&eventless(&["scan"], dir.path()));
    let sleep = line_with(&scan, "work.py:8:5: eventlet.greenthread.sleep");
    assert!(sleep.contains("rewrite by sleep (safe)"), "{sleep}");
    let asked = line_with(&scan, "work.py:6:8: eventlet.patcher.is_monkey_patched");
    assert!(
        asked.contains("manual") && asked.contains("pkg/cmd/__init__.py:3"),
        "{asked}"
    );
    assert!(
        scan.contains("neutron.common.eventlet_utils (imported at ./pkg/cmd/__init__.py:1) runs on eventlet itself"),
        "{scan}"
    );
}

/// vmware-nsx's request pool is a module global another module uses
/// (`state.POOL.spawn(...)`): its rewrite would lack `spawn` there, so the
/// object stays. A global only its own module uses is rewritten.
#[test]
fn a_module_global_another_module_names_keeps_its_object() {
    let state =
        b"from eventlet import event\n\nDONE = event.Event()\n\n\ndef finish():\n    DONE.send()\n";
    for (user, held) in [
        (
            &b"from pkg import state\n\n\ndef main():\n    state.DONE.send()\n"[..],
            true,
        ),
        (
            &b"from pkg import state\n\n\ndef main():\n    state.finish()\n"[..],
            false,
        ),
    ] {
        let dir = tree(&[
            (
                "pkg/__init__.py",
                b"import eventlet\n\neventlet.monkey_patch()\n",
            ),
            ("pkg/state.py", state),
            ("pkg/main.py", user),
        ]);
        let scan = stdout(&eventless(&["scan"], dir.path()));
        let done = line_with(&scan, "state.py:3:8: eventlet.event.Event");
        assert_eq!(
            done.contains("which ./pkg/main.py also names"),
            held,
            "{done}"
        );
        assert_eq!(done.contains("rewrite by event-threading"), !held, "{done}");
    }
}

/// neutron's batch notifier keeps its queue on `self._pending_events`, and
/// its test reads `notifier._pending_events` itself: uses out of the
/// file's sight, so the object stays.
#[test]
fn an_attribute_another_module_names_keeps_its_object() {
    let dir = tree(&[
        ("pkg/__init__.py", b"import eventlet\n\neventlet.monkey_patch()\n"),
        ("pkg/worker.py", b"from eventlet import event\n\n\nclass Worker:\n    def __init__(self):\n        self._stop = event.Event()\n\n    def stop(self):\n        self._stop.send()\n"),
        ("pkg/main.py", b"from pkg import worker\n\n\ndef main():\n    w = worker.Worker()\n    w._stop.send()\n"),
    ]);
    let scan = stdout(&eventless(&["scan"], dir.path()));
    let stop = line_with(&scan, "worker.py:6:22: eventlet.event.Event");
    assert!(
        stop.contains("manual") && stop.contains("./pkg/main.py also names '_stop'"),
        "{stop}"
    );
}

/// vmware-nsx's test replaces its module's eventlet by assignment
/// (`edge_utils.eventlet = mock.Mock()`) and asserts the spawn it catches:
/// the spawn stays for it.
#[test]
fn a_module_name_a_test_assigns_keeps_the_code_that_looks_it_up() {
    let dir = tree(&[
        ("pkg/__init__.py", b"import eventlet\n\neventlet.monkey_patch()\n"),
        ("pkg/worker.py", b"import eventlet\n\n\ndef deploy(ids):\n    eventlet.spawn_n(print, ids)\n"),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_worker.py", b"from unittest import mock\n\nfrom pkg import worker\n\n\ndef test_deploy():\n    worker.eventlet = mock.Mock()\n    worker.deploy([1])\n    worker.eventlet.spawn_n.assert_called_with(print, [1])\n"),
    ]);
    let scan = stdout(&eventless(&["scan", "--review"], dir.path()));
    let spawn = line_with(&scan, "worker.py:5:5: eventlet.greenthread.spawn_n");
    assert!(
        spawn.contains("manual") && spawn.contains("test_worker.py:7 through pkg.worker.eventlet"),
        "{spawn}"
    );
}

/// ironic-inspector's functional test spawns the command's `main`, whose
/// `sys.exit()` in another module ended the whole process from a green
/// thread; from a native one it ends only that thread. Such a spawn stays;
/// one of a function that does not exit becomes a thread.
#[test]
fn a_spawned_function_of_another_module_that_exits_keeps_its_spawn() {
    let command = b"import sys\n\n\ndef main():\n    sys.exit('not configured')\n\n\ndef serve():\n    print('serving')\n";
    let runner = b"import eventlet\neventlet.monkey_patch()\n\nfrom pkg import cmd  # noqa\n\n\ndef start():\n    eventlet.spawn_n(cmd.main)\n    eventlet.spawn_n(cmd.serve)\n";
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-run = pkg.runner:start\n"),
        ("pkg/__init__.py", b""),
        ("pkg/cmd.py", command),
        ("pkg/runner.py", runner),
    ]);
    let scan = stdout(&eventless(&["scan", "--review"], dir.path()));
    let exits = line_with(&scan, "runner.py:8:5: eventlet.greenthread.spawn_n");
    assert!(
        exits.contains("manual")
            && exits.contains(
                "the function it starts, cmd.main (defined in ./pkg/cmd.py), uses 'exit'"
            ),
        "{exits}"
    );
    let serves = line_with(&scan, "runner.py:9:5: eventlet.greenthread.spawn_n");
    assert!(serves.contains("rewrite by spawn-statement"), "{serves}");
}

/// A Timeout class that an `except` clause or `isinstance()` only names
/// starts no timer: a test module that imports it runs no green threads,
/// and its sleep is exact. One that is made keeps the sleep.
#[test]
fn a_timeout_class_only_caught_starts_no_timer() {
    let guard = |made: bool| {
        let make = if made {
            "    with eventlet.timeout.Timeout(1):\n        f()\n"
        } else {
            ""
        };
        format!(
            "import eventlet\n\n\ndef guarded(f):\n{make}    try:\n        return f()\n    except (eventlet.timeout.Timeout, ValueError) as e:\n        return isinstance(e, eventlet.timeout.Timeout)\n"
        )
    };
    let worker = b"import eventlet\n\nfrom pkg import other  # noqa\n\n\ndef wait():\n    eventlet.sleep(5)\n";
    let test = b"from pkg import worker\n\n\ndef test_wait():\n    worker.wait()\n";
    for made in [false, true] {
        let other = guard(made);
        let dir = tree(&[
            ("setup.cfg", b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-worker = pkg.cmd:main\n"),
            ("pkg/__init__.py", b""),
            ("pkg/cmd.py", b"import eventlet\neventlet.monkey_patch()\n\nfrom pkg import worker  # noqa\n\n\ndef main():\n    worker.wait()\n"),
            ("pkg/other.py", other.as_bytes()),
            ("pkg/worker.py", worker),
            ("pkg/tests/__init__.py", b""),
            ("pkg/tests/test_worker.py", test),
        ]);
        let scan = stdout(&eventless(&["scan"], dir.path()));
        let sleep = line_with(&scan, "worker.py:7:5: eventlet.greenthread.sleep");
        assert_eq!(sleep.contains("rewrite by sleep (safe)"), !made, "{sleep}");
    }
}

/// A Timeout that a call's own timeout cannot replace says what stands in
/// the way: the exception it raises (networking-generic-switch's), the
/// False that makes it leave quietly, or a block of several statements.
#[test]
fn a_timeout_left_alone_says_what_its_block_does_otherwise() {
    let dir = tree(&[(
        "a.py",
        b"import eventlet\n\nq = eventlet.queue.Queue()\n\n\ndef raising():\n    try:\n        with eventlet.Timeout(5, ValueError):\n            q.get()\n    except ValueError:\n        pass\n\n\ndef quiet():\n    with eventlet.Timeout(5, False):\n        q.get()\n\n\ndef several():\n    try:\n        with eventlet.Timeout(5):\n            q.get()\n            q.get()\n    except eventlet.Timeout:\n        pass\n",
    )]);
    let scan = stdout(&eventless(&["scan", "--no-project", "a.py"], dir.path()));
    for (site, reason) in [
        ("8:14", "raises the exception passed after its seconds"),
        ("15:10", "is given False: it leaves the block quietly"),
        ("21:14", "the Timeout's block holds more than one statement"),
    ] {
        let timeout = line_with(&scan, &format!("a.py:{site}: eventlet.timeout.Timeout"));
        assert!(timeout.contains(reason), "{timeout}");
    }
}

/// networking-bagpipe's workaround for eventlet issue 592 imports
/// `__original_module_threading`, a module that exists only while
/// monkey_patch() has patched threading: removing the patch would make
/// that import fail, so the switch waits for it.
#[test]
fn the_original_threading_module_keeps_the_monkey_patch() {
    let extension = b"import threading\n\nimport __original_module_threading as orig_threading  # noqa\n\norig_threading.current_thread.__globals__['_active'] = threading._active\n";
    let command = b"import eventlet\neventlet.monkey_patch()\n\nfrom pkg import extension  # noqa\n\n\ndef main():\n    pass\n";
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-agent = pkg.cmd:main\n"),
        ("pkg/__init__.py", b""),
        ("pkg/cmd.py", command),
        ("pkg/extension.py", extension),
    ]);
    let scan = stdout(&eventless(&["scan", "--review"], dir.path()));
    let original = line_with(&scan, "extension.py:5:1: __original_module_threading");
    assert!(original.contains("manual"), "{original}");
    let patch = line_with(&scan, "cmd.py:2:1: eventlet.patcher.monkey_patch");
    assert!(patch.contains("manual"), "{patch}");
    let out = eventless(&["apply", "--review", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.path().join("pkg/cmd.py")).unwrap(),
        command.to_vec()
    );
}

/// oslo.vmware's own tests import `oslo_vmware`, which the catalogue names
/// as installed code that calls eventlet's sleep: in its own tree it is the
/// project's code, whose uses are followed, not a library that holds the
/// tests' mocks.
#[test]
fn the_project_s_own_package_is_no_installed_library_to_its_tests() {
    let loop_ =
        b"import eventlet\n\n\ndef retry(f):\n    eventlet.greenthread.sleep(1)\n    return f()\n";
    let test = b"from unittest import mock\n\nfrom oslo_vmware import api\n\n\n@mock.patch('eventlet.greenthread.sleep')\ndef test_retry(sleep):\n    api.retry(print)\n    sleep.assert_called_once_with(1)\n";
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = oslo.vmware\n"),
        ("oslo_vmware/__init__.py", b""),
        ("oslo_vmware/api.py", loop_),
        ("oslo_vmware/tests/__init__.py", b""),
        ("oslo_vmware/tests/test_api.py", test),
    ]);
    let scan = stdout(&eventless(&["scan", "--review"], dir.path()));
    let mock = line_with(&scan, "test_api.py:6:14: eventlet.greenthread.sleep");
    assert!(!mock.contains("installed library"), "{mock}");
}

/// ovn-octavia-provider's `common` folder has no `__init__.py`: its
/// modules belong to the package, and imports of it are not reported as
/// naming no file.
#[test]
fn a_namespace_folder_inside_a_package_names_its_modules() {
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = pkg\n"),
        ("pkg/__init__.py", b""),
        (
            "pkg/common/config.py",
            b"import eventlet\n\n\ndef wait():\n    eventlet.sleep(1)\n",
        ),
        ("pkg/agent.py", b"from pkg.common import config  # noqa\n"),
    ]);
    let out = eventless(&["scan"], dir.path());
    assert!(!stdout(&out).contains("name no file"), "{}", stdout(&out));
    let broken = tree(&[
        ("setup.cfg", b"[metadata]\nname = pkg\n"),
        ("pkg/__init__.py", b""),
        (
            "pkg/agent.py",
            b"from pkg.missing import config  # noqa\nimport eventlet  # noqa\n",
        ),
    ]);
    let out = stdout(&eventless(&["scan"], broken.path()));
    assert!(
        out.contains("1 import of the project's own packages names no file (first: ./pkg/agent.py:1 pkg.missing)"),
        "{out}"
    );
}

/// storlets: a thread's arguments too long for a line of their own are
/// broken inside their tuple, where the rewrite had left a 148-column line.
#[test]
fn a_rewritten_call_stays_within_the_line_limit_when_its_tuple_is_long() {
    let runtime = b"import eventlet\neventlet.monkey_patch()\n\n\nclass Runtime:\n    def run(self):\n        if not self.srequest.data.has_fd:\n            if self.ready:\n                eventlet.spawn_n(self._write_input_data,\n                                 self._input_data_write_fd,\n                                 self.srequest.data.data_iter)\n";
    let dir = tree(&[("runtime.py", runtime)]);
    let out = eventless(&["apply", "--review", "runtime.py"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("runtime.py")).unwrap();
    assert!(written.contains("threading.Thread("), "{written}");
    assert!(written.lines().all(|l| l.len() <= 79), "{written}");
}

/// A kept executor is refused for what holds it (here: a program that does
/// not patch threads), not for the `with` block the exact transform asks
/// for: the kept form takes an executor outside a block.
#[test]
fn a_refusal_for_the_site_s_form_gives_way_to_the_form_s_own() {
    let manager = b"import eventlet\nimport futurist\n\n\nclass Manager:\n    def __init__(self):\n        self._executor = futurist.GreenThreadPoolExecutor(max_workers=4)\n        self._beat = eventlet.spawn(print, 'alive')\n\n    def stop(self):\n        self._beat.kill()\n";
    let dir = tree(&[("manager.py", manager)]);
    let scan = stdout(&eventless(&["scan", "--review"], dir.path()));
    let executor = line_with(&scan, "manager.py:7:26: futurist.GreenThreadPoolExecutor");
    assert!(
        executor.contains("nothing in it monkey-patches 'thread'")
            && !executor.contains("not made by a with statement"),
        "{executor}"
    );
}

/// Of two review-level forms that both refuse, the one with fewer
/// differences says why: a waited spawn whose handle is passed on is held
/// for that (spawn-future's refusal), not because its function is defined
/// in another file (which only the joined-thread form asks).
#[test]
fn the_refusal_of_the_form_with_fewest_differences_is_reported() {
    let a = b"import eventlet\n\nfrom pkg.work import run\n\neventlet.monkey_patch()\n\n\ndef main(registry):\n    thread = eventlet.spawn(run)\n    registry.append(thread)\n    thread.wait()\n";
    let dir = tree(&[
        ("pkg/__init__.py", b""),
        ("pkg/work.py", b"def run():\n    pass\n"),
        ("pkg/a.py", a),
    ]);
    let scan = stdout(&eventless(&["scan", "--review"], dir.path()));
    let spawn = line_with(&scan, "a.py:9:14: eventlet.greenthread.spawn");
    assert!(
        spawn.contains("the object is passed to a call")
            && !spawn.contains("not defined in this file"),
        "{spawn}"
    );
}

/// An object held because it is handed on says how: stored where, passed
/// to a call, returned (vmware-nsx keeps a task's Events in a dict).
#[test]
fn a_held_object_says_how_it_is_handed_on() {
    let code = b"import eventlet\nfrom eventlet import event\n\neventlet.monkey_patch()\n\n\nclass Task:\n    def __init__(self):\n        self._states = {}\n\n    def wait(self, state):\n        e = event.Event()\n        self._states[state] = e\n        e.wait()\n\n    def make(self):\n        e = event.Event()\n        return e\n";
    let dir = tree(&[("a.py", code)]);
    let scan = stdout(&eventless(&["scan", "a.py"], dir.path()));
    assert!(
        line_with(&scan, "a.py:12:").contains("stored in 'self._states[state]'"),
        "{scan}"
    );
    assert!(
        line_with(&scan, "a.py:17:").contains("the object is returned"),
        "{scan}"
    );
}

/// A delay read from another module's constant is proved as one of its
/// own would be (cinder's datera drivers read `datc.DEFAULT_SNAP_SLEEP`):
/// a constant never negative needs no guard, a negative one keeps it, and
/// so does a name the module assigns twice.
#[test]
fn constants_of_other_modules_prove_delays() {
    let dir = tree(&[
        ("pkg/__init__.py", b""),
        (
            "pkg/consts.py",
            b"DELAY = 2\nBACKWARD = -1\nTWICE = 1\nTWICE = 3\n",
        ),
        (
            "pkg/a.py",
            b"import eventlet\n\nfrom pkg import consts as c\n\n\ndef nap():\n    eventlet.sleep(c.DELAY)\n    eventlet.sleep(c.BACKWARD)\n    eventlet.sleep(c.TWICE)\n",
        ),
    ]);
    let diff = stdout(&eventless(&["diff", "--color", "never", "."], dir.path()));
    for line in [
        "+    time.sleep(c.DELAY)\n",
        "+    time.sleep(max(0, c.BACKWARD))\n",
        "+    time.sleep(max(0, c.TWICE))\n",
    ] {
        assert!(diff.contains(line), "{line}\n{diff}");
    }
}

#[test]
fn safety_select_and_ignore_limit_what_is_applied() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    let out = eventless(
        &["diff", "--safety", "safe", "--color", "never"],
        dir.path(),
    );
    let diff = stdout(&out);
    assert!(
        diff.contains("+    time.sleep(1)") && !diff.contains("max(0"),
        "{diff}"
    );
    let out = eventless(&["diff", "--ignore", "sleep"], dir.path());
    assert!(stdout(&out).is_empty());
    let out = eventless(&["diff", "--select", "queue"], dir.path());
    assert!(stdout(&out).is_empty());
    let out = eventless(&["diff", "--select", "no-such-transform"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown transform id 'no-such-transform'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreadable_files_are_reported_and_left_alone() {
    let latin1: &[u8] =
        b"# -*- coding: latin-1 -*-\nimport eventlet\neventlet.sleep(1)\nx = '\xe9'\n";
    let broken: &[u8] = b"import eventlet\ndef f(:\n    eventlet.sleep(1)\n";
    let binary: &[u8] = b"import eventlet\n\xff\xfe\x00\x01";
    let dir = tree(&[
        ("latin.py", latin1),
        ("broken.py", broken),
        ("binary.py", binary),
    ]);
    let out = eventless(&["apply"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("latin.py: skipped: declares encoding 'latin-1'"),
        "{err}"
    );
    assert!(
        err.contains("broken.py: skipped: syntax error at line 2"),
        "{err}"
    );
    assert!(err.contains("binary.py: skipped: not valid UTF-8"), "{err}");
    assert_eq!(std::fs::read(dir.path().join("latin.py")).unwrap(), latin1);
    assert_eq!(std::fs::read(dir.path().join("broken.py")).unwrap(), broken);
    let scan = eventless(&["scan"], dir.path());
    assert!(stdout(&scan).contains("3 skipped"), "{}", stdout(&scan));
}

#[test]
fn scan_json_lists_uses_with_their_fate() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    let out = eventless(&["scan", "--format", "json"], dir.path());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["files"][0]["findings"].as_array().unwrap();
    let sleep = findings.iter().find(|f| f["line"] == 6).unwrap();
    assert_eq!(sleep["api"], "eventlet.greenthread.sleep");
    assert_eq!(sleep["family"], "sleep");
    assert_eq!(sleep["transform"], "sleep");
    assert_eq!(sleep["safety"], "safe");
    assert_eq!(sleep["action"], "rewrite");
    assert_eq!(report["summary"]["rewrite_safe"], 1);
    assert_eq!(report["summary"]["rewrite_conditional"], 1);
}

#[test]
fn excluded_paths_are_not_touched() {
    let dir = tree(&[
        ("keep/a.py", SLEEPY.as_bytes()),
        ("tests/b.py", SLEEPY.as_bytes()),
    ]);
    let out = eventless(&["apply", "--exclude", "tests", "--quiet"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_ne!(
        std::fs::read_to_string(dir.path().join("keep/a.py")).unwrap(),
        SLEEPY
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tests/b.py")).unwrap(),
        SLEEPY
    );
}

/// eventless in `dir` with `input` on its standard input.
fn eventless_with_input(args: &[&str], dir: &Path, input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    // A run that refuses its arguments exits without reading its input.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

/// `apply --interactive` in `dir`, answering the prompts with `answers`.
fn apply_interactively(dir: &Path, answers: &str) -> Output {
    eventless_with_input(
        &["apply", "--interactive", "--no-cache"],
        dir,
        answers.as_bytes(),
    )
}

#[test]
fn interactive_apply_asks_per_file() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes()), ("b.py", SLEEPY.as_bytes())]);
    let out = apply_interactively(dir.path(), "n\ny\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        SLEEPY
    );
    assert_ne!(
        std::fs::read_to_string(dir.path().join("b.py")).unwrap(),
        SLEEPY
    );
}

#[test]
fn missing_path_is_an_error_with_exit_2() {
    let dir = tree(&[]);
    let out = eventless(&["scan", "does-not-exist"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("does-not-exist: no such file or directory"),
        "{}",
        stderr(&out)
    );
    // In a project too, where the walk starts at the root.
    let project = tree(&[("eventless.toml", b""), ("a.py", SLEEPY.as_bytes())]);
    let out = eventless(&["diff", "a.py", "does-not-exist"], project.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("does-not-exist: no such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn transforms_list_and_show() {
    let dir = tree(&[]);
    let list = stdout(&eventless(&["transforms"], dir.path()));
    assert!(
        list.lines()
            .any(|l| l.starts_with("sleep ") && l.contains("safe")),
        "{list}"
    );
    let show = eventless(&["transforms", "show", "queue"], dir.path());
    let text = stdout(&show);
    assert!(
        text.contains("rendezvous") && text.contains("example 1"),
        "{text}"
    );
    // The differences a condition holds with in some programs are named
    // beside the transform's own.
    let spawn = stdout(&eventless(
        &["transforms", "show", "spawn-statement"],
        dir.path(),
    ));
    assert!(
        spawn.contains("start-order: ")
            && spawn.contains("in some programs, a condition holds only with one of these")
            && spawn.contains("unpatched-threads"),
        "{spawn}"
    );
    let missing = eventless(&["transforms", "show", "nope"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn docs_transforms_md_is_generated_from_the_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated = stdout(&eventless(&["transforms", "markdown"], root));
    let committed = std::fs::read_to_string(root.join("docs/transforms.md")).unwrap();
    assert!(
        generated == committed,
        "docs/transforms.md is stale: run `cargo run -- transforms markdown > docs/transforms.md`"
    );
}

#[test]
fn annotate_marks_manual_sites_once() {
    let code =
        "import eventlet\n\n\ndef main():\n    pool = eventlet.GreenPool(4)\n    return pool\n";
    let dir = tree(&[("a.py", code.as_bytes())]);
    let out = eventless(&["apply", "--annotate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("a.py")).unwrap();
    assert!(
        written
            .contains("def main():\n    # TODO(eventlet-removal): eventlet.greenpool.GreenPool: the object is\n"),
        "{written}"
    );
    let again = eventless(&["diff", "--check", "--annotate"], dir.path());
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    let plain = eventless(&["diff", "--check"], dir.path());
    assert_eq!(plain.status.code(), Some(0));
}

/// A TODO written by an earlier `--annotate` run goes when a later run
/// rewrites the last use it was about; one above a use still left stays.
#[test]
fn a_later_rewrite_removes_the_todo_it_makes_stale() {
    let code = "import eventlet\n\
                eventlet.monkey_patch()\n\
                \n\
                \n\
                def main(work):\n\
                \x20   # TODO(eventlet-removal): eventlet.greenthread.spawn: its result is used;\n\
                \x20   #     only a call that is a statement of its own is rewritten\n\
                \x20   job = eventlet.spawn(work)\n\
                \x20   # TODO(eventlet-removal): eventlet.greenpool.GreenPool: size\n\
                \x20   pool = eventlet.GreenPool(4)\n\
                \x20   return job.wait(), pool\n";
    let dir = tree(&[("a.py", code.as_bytes())]);
    let out = eventless(&["apply", "--accept", "start-order"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("a.py")).unwrap();
    assert!(
        written.contains(
            "def main(work):\n    job = _spawn_future(work)\n    \
             # TODO(eventlet-removal): eventlet.greenpool.GreenPool: size\n"
        ),
        "{written}"
    );
}

const NOVA_CONFIG: &str = r#"
[options]
ignore = ["queue"]

[[transform]]
id = "sleep"
summary = "cooperative yields go through nova.utils"
docs = "Nova routes every yield through one helper (hacking N374)."
safety = "safe"
shape = "call"
apis = ["eventlet.greenthread.sleep"]
params = ["seconds=0"]
requires = ["native-or-patched:time"]

[[transform.case]]
when = { seconds = "zero" }
replace = "{@nova:utils}.cooperative_yield()"

[[transform.case]]
when = { seconds = "positive-number" }
replace = "{@time}.sleep({seconds})"
"#;

#[test]
fn project_configuration_retargets_and_applies_from_a_subfolder() {
    let module = "import os\n\nimport eventlet\n\nfrom nova import context\n\n\ndef f():\n    eventlet.sleep(0)\n    eventlet.sleep(2)\n    q = eventlet.queue.Queue()\n    return q, os, context\n";
    let dir = tree(&[
        ("eventless.toml", NOVA_CONFIG.as_bytes()),
        ("nova/compute/m.py", module.as_bytes()),
    ]);
    let out = eventless(&["apply", "."], &dir.path().join("nova/compute"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("using "), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("nova/compute/m.py")).unwrap();
    assert_eq!(
        written,
        "import os\nimport time\n\nimport eventlet\n\nfrom nova import context\nfrom nova import utils\n\n\ndef f():\n    utils.cooperative_yield()\n    time.sleep(2)\n    q = eventlet.queue.Queue()\n    return q, os, context\n"
    );
    let ignored = eventless(
        &["diff", "--no-config", "--check", "."],
        &dir.path().join("nova"),
    );
    assert_eq!(
        ignored.status.code(),
        Some(1),
        "without the configuration the queue is rewritten"
    );
}

#[test]
fn the_configuration_guide_examples_hold() {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
    )
    .unwrap();
    let blocks: Vec<&str> = guide
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert!(blocks.len() >= 3, "the guide's TOML blocks are gone");
    for block in blocks {
        let dir = tree(&[
            ("eventless.toml", block.as_bytes()),
            ("a.py", SLEEPY.as_bytes()),
        ]);
        let out = eventless(&["transforms", "check"], dir.path());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{block}\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        let scan = eventless(&["scan"], dir.path());
        assert_eq!(scan.status.code(), Some(0), "{block}\n{}", stderr(&scan));
    }
}

#[test]
fn the_requirement_goes_with_the_last_import() {
    let reqs = "pbr>=2.0\neventlet>=0.30.1 # MIT\n";
    let dir = tree(&[
        ("requirements.txt", reqs.as_bytes()),
        ("a.py", SLEEPY.as_bytes()),
        // b's program calls a's code, and b's hub keeps its threads green.
        (
            "b.py",
            b"import eventlet\n\nimport a\n\nhub = eventlet.hubs.get_hub()\na.nap(1)\n",
        ),
    ]);
    let scan = stdout(&eventless(&["scan"], dir.path()));
    assert!(
        scan.contains("requirements.txt:2:1: eventlet:requirement [config] manual (with the switch): eventlet is still imported (./a.py:1)"),
        "{scan}"
    );
    std::fs::remove_file(dir.path().join("b.py")).unwrap();
    let out = eventless(&["apply"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("requirements.txt")).unwrap(),
        "pbr>=2.0\n"
    );
}

/// A setting of eventlet's variables in code is a use: it goes with the
/// last import, by a person's hand, since the commands the program starts
/// inherit it. A file that names only the variable is read for it too.
#[test]
fn eventlet_settings_in_code_are_left_for_a_person_once_eventlet_goes() {
    let dir = tree(&[
        ("a.py", SLEEPY.as_bytes()),
        (
            "b.py",
            b"import eventlet\n\nimport a\n\nhub = eventlet.hubs.get_hub()\na.nap(1)\n",
        ),
        (
            "settings.py",
            b"import os\n\nos.environ.setdefault('EVENTLET_HUB', 'poll')\nDEBUG = os.environ.get('EVENTLET_HUB')\n",
        ),
    ]);
    let kept = stdout(&eventless(&["scan", "--no-cache"], dir.path()));
    assert!(
        kept.contains(
            "settings.py:3:1: eventlet:environment [config] manual: eventlet is still imported \
             (./a.py:1); the setting goes once nothing imports it, and no command this program \
             starts runs on eventlet itself, which EVENTLET_HUB tunes through the environment it \
             inherits"
        ) && !kept.contains("settings.py:4:"),
        "{kept}"
    );
    std::fs::remove_file(dir.path().join("b.py")).unwrap();
    let out = eventless(&["apply", "--no-cache"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 use left for manual work"),
        "{}",
        stderr(&out)
    );
    let gone = stdout(&eventless(&["scan", "--no-cache"], dir.path()));
    assert!(
        gone.contains(
            "settings.py:3:1: eventlet:environment [config] manual: nothing imports eventlet any \
             more: the setting goes (and an import only it uses) once no command this program \
             starts runs on eventlet itself, which EVENTLET_HUB tunes through the environment it \
             inherits"
        ),
        "{gone}"
    );
    // Accepting that those commands no longer inherit it deletes it.
    let review = eventless(&["apply", "--review", "--no-cache"], dir.path());
    assert_eq!(review.status.code(), Some(0), "{}", stderr(&review));
    assert!(
        stderr(&review).contains("1 with inherited-environment"),
        "{}",
        stderr(&review)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("settings.py")).unwrap(),
        "import os\n\nDEBUG = os.environ.get('EVENTLET_HUB')\n"
    );
    let again = eventless(&["diff", "--review", "--no-cache"], dir.path());
    assert!(stdout(&again).is_empty(), "{}", stdout(&again));
}

/// futurist's green executor imports eventlet: the requirement stays.
#[test]
fn the_requirement_stays_with_a_library_that_runs_on_eventlet() {
    let dir = tree(&[
        ("requirements.txt", b"eventlet>=0.30.1\n"),
        (
            "b.py",
            b"import futurist\n\nspec = futurist.GreenThreadPoolExecutor\n",
        ),
    ]);
    let scan = stdout(&eventless(&["scan"], dir.path()));
    assert!(
        scan.contains(
            "requirements.txt:1:1: eventlet:requirement [config] manual (with the switch): \
             eventlet is still imported (./b.py:3, where futurist.GreenThreadPoolExecutor \
             runs on it)"
        ),
        "{scan}"
    );
}

/// A test's mock of an eventlet name imports eventlet when it starts: the
/// test requirement stays while the mock does (os-brick).
#[test]
fn the_requirement_stays_with_a_mock_of_eventlet() {
    let dir = tree(&[
        ("test-requirements.txt", b"eventlet>=0.30.1\n"),
        (
            "test_fc.py",
            b"from unittest import mock\n\n\n@mock.patch('eventlet.greenthread.sleep', mock.Mock())\ndef test_wait():\n    pass\n",
        ),
    ]);
    let scan = stdout(&eventless(&["scan"], dir.path()));
    assert!(
        scan.contains(
            "test-requirements.txt:1:1: eventlet:requirement [config] manual (with the switch): \
             eventlet is still imported (./test_fc.py:4, where a mock of \
             eventlet.greenthread.sleep imports it)"
        ),
        "{scan}"
    );
    let out = eventless(&["apply"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("test-requirements.txt")).unwrap(),
        "eventlet>=0.30.1\n"
    );
}

#[test]
fn markdown_readiness_report_links_occurrences() {
    let dir = tree(&[
        ("pkg/a.py", SLEEPY.as_bytes()),
        (
            "pkg/b.py",
            b"import eventlet\n\nimport a\n\nhub = eventlet.hubs.get_hub()\na.nap(1)\n",
        ),
    ]);
    let out = eventless(
        &[
            "scan",
            "--format",
            "markdown",
            "--link-base",
            "https://opendev.org/x/y/src/branch/master/",
            ".",
        ],
        dir.path(),
    );
    let md = stdout(&out);
    assert!(
        md.contains("**Is eventlet globally deactivable: No**"),
        "{md}"
    );
    assert!(
        md.contains(
            "- 1 use needs a person; 2 more change only with the switch to native threads, \
             all of them once unpatched-program is accepted: eventlet.greenthread.sleep (2), \
             eventlet.hubs.get_hub (1)"
        ),
        "{md}"
    );
    assert!(md.contains("**Migration complexity: "), "{md}");
    assert!(md.contains("https://opendev.org/x/y/src/branch/master/pkg/b.py#L5 : `hub = eventlet.hubs.get_hub()` (manual)"), "{md}");
    assert!(md.contains("### pkg/a.py"), "{md}");
    // Without the trailing slash, and with placeholders for other forges.
    let link = |base: &str| {
        stdout(&eventless(
            &["scan", "--format", "markdown", "--link-base", base, "."],
            dir.path(),
        ))
    };
    assert!(link("https://opendev.org/x/y/src/branch/master").contains("master/pkg/b.py#L5 : "));
    assert!(
        link("https://git.example/y/{path}?line={line}")
            .contains("https://git.example/y/pkg/b.py?line=5 : ")
    );
    let ignored = eventless(&["scan", "--link-base", "https://x/", "."], dir.path());
    assert_eq!(ignored.status.code(), Some(2));
    assert!(
        stderr(&ignored).contains("add --format markdown"),
        "{}",
        stderr(&ignored)
    );
}

#[test]
fn readiness_blockers_name_paths_within_the_project() {
    let dir = tree(&[(
        "cmd/run.py",
        b"import eventlet\neventlet.monkey_patch()\n\nhub = eventlet.hubs.get_hub()\n",
    )]);
    let root = dir.path().to_str().unwrap();
    let out = eventless(&["scan", "--format", "markdown", root], dir.path());
    let md = stdout(&out);
    assert!(md.contains("monkey_patch() at cmd/run.py:2"), "{md}");
    assert!(!md.contains(root), "{md}");
}

#[test]
fn sarif_has_the_2_1_0_shape() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    let out = eventless(&["scan", "--format", "sarif", "."], dir.path());
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "eventless");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["eventlet.greenthread.sleep"]);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        assert!(rules.contains(&r["ruleId"].as_str().unwrap()));
        assert!(["note", "warning"].contains(&r["level"].as_str().unwrap()));
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "a.py");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            location["region"]["snippet"]["text"]
                .as_str()
                .unwrap()
                .starts_with("eventlet.sleep(")
        );
    }
    let rule = &run["tool"]["driver"]["rules"][0];
    assert_eq!(rule["name"], "EventletGreenthreadSleep");
    assert!(
        rule["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("time.sleep")
    );
    // A file that cannot be analysed is a notification, not silence.
    std::fs::write(dir.path().join("broken.py"), b"import eventlet\n\xff\xfe\n").unwrap();
    let out = eventless(&["scan", "--format", "sarif", "."], dir.path());
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes[0]["level"], "warning", "{sarif}");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "broken.py"
    );
}

fn cached(args: &[&str], dir: &Path, cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .expect("eventless runs")
}

#[test]
fn the_cache_gives_the_same_answer_and_notices_changes() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    let cache = tempfile::tempdir().unwrap();
    let cold = cached(&["diff", "--color", "never", "."], dir.path(), cache.path());
    let slots: Vec<_> = std::fs::read_dir(cache.path().join("eventless"))
        .unwrap()
        .collect();
    assert_eq!(slots.len(), 1, "one cache entry for the run");
    let warm = cached(&["diff", "--color", "never", "."], dir.path(), cache.path());
    assert_eq!(stdout(&cold), stdout(&warm));
    assert!(stdout(&warm).contains("+    time.sleep(1)"));

    // A changed file is seen at once.
    std::fs::write(
        dir.path().join("a.py"),
        "import eventlet\neventlet.sleep(7)\n",
    )
    .unwrap();
    let changed = cached(&["diff", "--color", "never", "."], dir.path(), cache.path());
    assert!(
        stdout(&changed).contains("+time.sleep(7)"),
        "{}",
        stdout(&changed)
    );

    // So is the project's name, read from its metadata: futurist's own
    // tree keeps its green executor.
    let green = "import futurist\n\n\ndef test_green():\n    with futurist.GreenThreadPoolExecutor(2) as e:\n        assert e.submit(sum, [1, 2]).result() == 3\n";
    std::fs::write(dir.path().join("a.py"), green).unwrap();
    let review = ["diff", "--review", "--color", "never", "."];
    let user = cached(&review, dir.path(), cache.path());
    assert!(
        stdout(&user).contains("+    with futurist.ThreadPoolExecutor(2) as e:"),
        "{}",
        stdout(&user)
    );
    std::fs::write(
        dir.path().join("PKG-INFO"),
        "Metadata-Version: 2.1\nName: futurist\n",
    )
    .unwrap();
    let own = cached(&review, dir.path(), cache.path());
    assert!(stdout(&own).is_empty(), "{}", stdout(&own));

    // A corrupt entry is ignored, and --no-cache neither reads nor writes it.
    for slot in std::fs::read_dir(cache.path().join("eventless")).unwrap() {
        std::fs::write(slot.unwrap().path(), b"{ not json").unwrap();
    }
    let after_corruption = cached(&review, dir.path(), cache.path());
    assert_eq!(stdout(&after_corruption), stdout(&own));
    let fresh = tempfile::tempdir().unwrap();
    cached(&["diff", "--no-cache", "."], dir.path(), fresh.path());
    assert!(!fresh.path().join("eventless").exists());
}

#[test]
fn interactive_hunks_refuse_a_use_without_its_import() {
    let code = "import eventlet\n\nA = 1\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\nG = 7\n\n\ndef f():\n    eventlet.sleep(1)\n";
    let run = |answers: &str| {
        let dir = tree(&[("a.py", code.as_bytes())]);
        let out = apply_interactively(dir.path(), answers);
        (
            std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
            stderr(&out),
        )
    };
    let (both, _) = run("h\ny\ny\n");
    assert!(
        both.starts_with("import time\n") && both.contains("    time.sleep(1)\n"),
        "{both}"
    );
    let (use_only, err) = run("h\nn\ny\n");
    assert_eq!(use_only, code);
    assert!(
        err.contains("not written: the chosen hunks use time without the import"),
        "{err}"
    );
}

/// A program assumed to patch is said to be, not to call monkey_patch().
#[test]
fn an_assumed_patch_is_named_as_assumed() {
    let code = "from eventlet import patcher\n\nGREEN = patcher.is_monkey_patched('thread')\n";
    let dir = tree(&[("a.py", code.as_bytes())]);
    let scan = stdout(&eventless(
        &["scan", "--assume-monkey-patched", "."],
        dir.path(),
    ));
    let asked = line_with(&scan, "a.py:3:9: eventlet.patcher.is_monkey_patched");
    assert!(
        asked.contains("monkey-patches, as --assume-monkey-patched says")
            && !asked.contains("calls monkey_patch()"),
        "{asked}"
    );
}

/// The eventlet names the corpus uses beyond the idioms (GreenletExit,
/// eventlet.wsgi's and tpool's internals) have guidance, not "not in the
/// catalogue".
#[test]
fn eventlet_internals_the_corpus_uses_have_guidance() {
    let code = b"import eventlet\nfrom eventlet import tpool\nfrom eventlet import wsgi\n\n\ndef f(g):\n    try:\n        g.wait()\n    except eventlet.greenlet.GreenletExit:\n        pass\n    wsgi.is_accepting = False\n    tpool._nthreads = 20\n";
    let dir = tree(&[("a.py", code)]);
    let scan = stdout(&eventless(&["scan", "--no-project", "a.py"], dir.path()));
    for api in [
        "eventlet.support.greenlets.GreenletExit",
        "eventlet.wsgi.is_accepting",
        "eventlet.tpool._nthreads",
    ] {
        let line = line_with(&scan, &format!(": {api} ["));
        assert!(!line.contains("not in the catalogue"), "{line}");
    }
}

/// eventlet loaded by name (oslo.messaging's `try_import`) is in the
/// inventory, as are the uses through the name it is given; none of them is
/// rewritten, and the switch waits for them.
#[test]
fn eventlet_loaded_by_name_is_reported_and_left_alone() {
    let code = b"from oslo_utils import importutils\n\ntpool = importutils.try_import('eventlet.tpool')\n\n\ndef poll(f):\n    if tpool:\n        return tpool.execute(f)\n    return f()\n";
    let dir = tree(&[("a.py", code)]);
    let scan = stdout(&eventless(
        &["scan", "--review", "--assume-monkey-patched", "a.py"],
        dir.path(),
    ));
    assert!(
        line_with(&scan, "a.py:3:").contains("eventlet.tpool [") && scan.contains("loaded by name"),
        "{scan}"
    );
    assert!(
        line_with(&scan, "a.py:8:").contains("eventlet.tpool.execute [tpool] manual"),
        "{scan}"
    );
    assert!(
        scan.contains("eventlet cannot be switched off yet"),
        "{scan}"
    );
    let applied = eventless(
        &["apply", "--review", "--assume-monkey-patched", "."],
        dir.path(),
    );
    assert!(applied.status.success(), "{}", stdout(&applied));
    assert_eq!(std::fs::read(dir.path().join("a.py")).unwrap(), code);
}

/// A library says what its application patches: only those modules count.
#[test]
fn the_application_s_patching_can_be_named_module_by_module() {
    let code =
        "import eventlet\n\n\ndef f():\n    eventlet.spawn_n(print, 1)\n    eventlet.sleep(1)\n";
    let dir = tree(&[("a.py", code.as_bytes())]);
    let some = stdout(&eventless(
        &[
            "scan",
            "--review",
            "--assume-monkey-patched=socket,thread",
            ".",
        ],
        dir.path(),
    ));
    assert!(
        some.contains("spawn_n [spawn] rewrite by spawn-statement"),
        "{some}"
    );
    assert!(
        some.contains("sleep [sleep] manual: green threads"),
        "{some}"
    );
    let all = stdout(&eventless(
        &["scan", "--assume-monkey-patched", "."],
        dir.path(),
    ));
    assert!(all.contains("sleep [sleep] rewrite by sleep"), "{all}");
    std::fs::write(
        dir.path().join("eventless.toml"),
        "[options]\nassume_monkey_patched = [\"socket\", \"thread\", \"time\"]\n",
    )
    .unwrap();
    let configured = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        configured.contains("sleep [sleep] rewrite by sleep"),
        "{configured}"
    );
    std::fs::write(
        dir.path().join("eventless.toml"),
        "[options]\nassume_monkey_patched = [\"sockets\"]\n",
    )
    .unwrap();
    let bad = eventless(&["scan", "."], dir.path());
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("'sockets' is not a module monkey_patch() patches"),
        "{}",
        stderr(&bad)
    );
}

/// A command that imports a module but never calls a function of it does
/// not decide that function's rewrite: the server that calls it does.
#[test]
fn a_function_is_decided_by_the_programs_that_may_call_it() {
    let dir = tree(&[
        (
            "setup.cfg",
            b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-api = pkg.cmd.api:main\n    pkg-status = pkg.status:main\n",
        ),
        ("pkg/__init__.py", b""),
        ("pkg/cmd/__init__.py", b""),
        (
            "pkg/cmd/api.py",
            b"import eventlet\n\neventlet.monkey_patch()\n\nfrom pkg import wsgi  # noqa\n\n\ndef main():\n    wsgi.serve()\n",
        ),
        (
            "pkg/status.py",
            b"from pkg import wsgi\n\n\ndef main():\n    wsgi.check()\n",
        ),
        (
            "pkg/wsgi.py",
            b"import eventlet\n\n\ndef serve():\n    pool = eventlet.GreenPool()\n    pool.spawn(listen)\n    pool.waitall()\n\n\ndef listen():\n    eventlet.sleep(1)\n\n\ndef check():\n    eventlet.sleep(2)\n",
        ),
    ]);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    // pkg-status imports the pool but never starts it: green threads may
    // run in it (it imports them), so what it calls keeps eventlet's sleep;
    // what only the patched server calls moves.
    assert!(
        scan.contains("wsgi.py:11:5: eventlet.greenthread.sleep [sleep] rewrite by sleep"),
        "{scan}"
    );
    assert!(
        scan.contains("wsgi.py:15:5: eventlet.greenthread.sleep [sleep] manual (with the switch): green threads or hub timers run in console script pkg-status"),
        "{scan}"
    );
}

/// On oslo.messaging 12.0.0 or later, `executor='eventlet'` goes: exact
/// where every program that may make the server patches threads (the
/// library then picks the eventlet executor itself), review level where a
/// command that does not patch may make it too. A test's expected call
/// moves with the code, and has its differences: it never changes alone.
#[test]
fn the_executor_argument_goes_where_oslo_messaging_picks_the_same_one() {
    let files = |wsgi: &'static [u8]| {
        tree(&[
            ("requirements.txt", b"oslo.messaging>=14.1.0 # Apache-2.0\n"),
            (
                "setup.cfg",
                b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-api = pkg.cmd.api:main\n",
            ),
            ("pkg/__init__.py", b""),
            ("pkg/cmd/__init__.py", b""),
            (
                "pkg/cmd/api.py",
                b"import eventlet\n\neventlet.monkey_patch()\n\nfrom pkg import rpc  # noqa\n\n\ndef main():\n    rpc.get_server(None, None).start()\n    eventlet.spawn(print, 1).kill()\n",
            ),
            ("pkg/wsgi.py", wsgi),
            (
                "pkg/rpc.py",
                b"import oslo_messaging as messaging\n\n\ndef get_server(transport, target):\n    return messaging.get_rpc_server(transport, target, [],\n                                    executor='eventlet')\n",
            ),
            ("pkg/tests/__init__.py", b"import eventlet\n\neventlet.monkey_patch()\n"),
            (
                "pkg/tests/test_rpc.py",
                b"from unittest import mock\n\nfrom pkg import rpc\n\n\n@mock.patch('oslo_messaging.get_rpc_server')\ndef test_get_server(get_rpc_server):\n    rpc.get_server(1, 2)\n    get_rpc_server.assert_called_once_with(1, 2, [],\n                                           executor='eventlet')\n",
            ),
        ])
    };
    let patched = files(b"");
    let diff = stdout(&eventless(&["diff", "."], patched.path()));
    assert!(
        diff.contains("+    return messaging.get_rpc_server(transport, target, [])\n")
            && diff.contains("+    get_rpc_server.assert_called_once_with(1, 2, [])\n"),
        "{diff}"
    );
    // A WSGI application that never patches may make the server too.
    let wsgi = files(
        b"from pkg import rpc\n\n\ndef application(env, start):\n    rpc.get_server(None, None)\n",
    );
    let cfg = "[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-api = pkg.cmd.api:main\nwsgi_scripts =\n    pkg-api-wsgi = pkg.wsgi:application\n";
    std::fs::write(wsgi.path().join("setup.cfg"), cfg).unwrap();
    let exact = eventless(&["diff", "."], wsgi.path());
    assert!(stdout(&exact).is_empty(), "{}", stdout(&exact));
    assert!(
        stderr(&exact).contains("2 uses left only for named differences")
            && stderr(&exact)
                .contains("2 with executor-class,start-order,reused-worker,exit-waits"),
        "{}",
        stderr(&exact)
    );
    let review = stdout(&eventless(&["diff", "--review", "."], wsgi.path()));
    assert!(
        review.contains("+    get_rpc_server.assert_called_once_with(1, 2, [])\n"),
        "{review}"
    );
    // The floor may come from setup.cfg's install_requires; with none, an
    // older oslo.messaging may be installed: 'threading', review level.
    let declared = files(b"");
    std::fs::remove_file(declared.path().join("requirements.txt")).unwrap();
    let unbounded = stdout(&eventless(&["diff", "--review", "."], declared.path()));
    assert!(unbounded.contains("executor='threading')"), "{unbounded}");
    let cfg = "[metadata]\nname = pkg\n\n[options]\ninstall_requires =\n    \
               oslo.messaging>=14.1.0\n\n[entry_points]\nconsole_scripts =\n    \
               pkg-api = pkg.cmd.api:main\n";
    std::fs::write(declared.path().join("setup.cfg"), cfg).unwrap();
    let diff = stdout(&eventless(&["diff", "."], declared.path()));
    assert!(
        diff.contains("+    return messaging.get_rpc_server(transport, target, [])\n"),
        "{diff}"
    );
}

/// A command that only tests whether an object is of a class runs none of
/// its code: the class's sleep is decided by the server that runs it.
#[test]
fn a_class_only_tested_for_is_not_run_there() {
    let dir = tree(&[
        (
            "setup.cfg",
            b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-api = pkg.cmd.api:main\n    pkg-status = pkg.status:main\n",
        ),
        ("pkg/__init__.py", b""),
        ("pkg/cmd/__init__.py", b""),
        (
            "pkg/cmd/api.py",
            b"import eventlet\n\neventlet.monkey_patch()\n\nfrom pkg import wsgi  # noqa\n\n\ndef main():\n    wsgi.Server().serve()\n",
        ),
        (
            "pkg/status.py",
            b"from pkg import wsgi\n\n\ndef main(found=None):\n    try:\n        return isinstance(found, wsgi.Server)\n    except wsgi.Failure:\n        return False\n",
        ),
        (
            "pkg/wsgi.py",
            b"import eventlet\n\n\nclass Failure(Exception):\n    def __init__(self):\n        eventlet.sleep(2)\n\n\nclass Server:\n    def serve(self):\n        pool = eventlet.GreenPool()\n        pool.spawn(self.listen)\n        pool.waitall()\n\n    def listen(self):\n        eventlet.sleep(1)\n",
        ),
    ]);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    // pkg-status, where green threads may run unpatched, names the server
    // class only in isinstance() and the exception only in `except`.
    for line in ["wsgi.py:6:9", "wsgi.py:16:9"] {
        assert!(
            line_with(&scan, line).contains("eventlet.greenthread.sleep [sleep] rewrite by sleep"),
            "{scan}"
        );
    }
}

/// A monkey_patch() made only under a condition patches in some runs of
/// the programs that call it (heat's messaging setup patches time for the
/// fake transport only): the sleep of a service that starts green threads
/// is an exact rewrite only where another call patches time surely, and
/// review level (unpatched-runs) where none does.
#[test]
fn a_monkey_patch_under_a_condition_patches_in_some_runs_only() {
    let dir = tree(&[
        (
            "setup.cfg",
            b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-engine = pkg.engine:main\n    pkg-manage = pkg.manage:main\n",
        ),
        ("pkg/__init__.py", b""),
        ("pkg/messaging.py", FAKE_TRANSPORT_SETUP),
        ("pkg/worker.py", GREEN_WORKER),
        (
            "pkg/engine.py",
            b"import eventlet\n\neventlet.monkey_patch()\n\nfrom pkg import messaging  # noqa\nfrom pkg import worker  # noqa\n\n\ndef main():\n    messaging.setup()\n    worker.run([worker.pause])\n",
        ),
        (
            "pkg/manage.py",
            b"from pkg import messaging\nfrom pkg import worker\n\n\ndef main():\n    messaging.setup()\n    worker.run([worker.pause])\n",
        ),
        ("pkg/debugging.py", HELD_BY_A_PERSON),
    ]);
    let exact = stdout(&eventless(&["scan", "."], dir.path()));
    let pause = line_with(&exact, "worker.py:12:5");
    assert!(
        pause.contains("manual")
            && pause.contains("console script pkg-manage")
            && pause.contains("only in some runs"),
        "{pause}"
    );
    let review = stdout(&eventless(&["scan", "--review", "."], dir.path()));
    assert!(
        line_with(&review, "worker.py:12:5").contains("rewrite by sleep (review: unpatched-runs"),
        "{review}"
    );
}

/// A test class's set-up that calls a patch function in another file (heat's
/// base class sets up its fake transport, which patches time) patches for
/// the test modules that may run it, in some runs: the sleep their tests
/// reach is review level (unpatched-runs). The same call in a helper that
/// some test calls patches for that test only, which the others cannot
/// count on: the sleep stays.
#[test]
fn a_base_test_class_set_up_that_patches_counts_for_its_tests() {
    let tree_with = |base: &[u8]| {
        tree(&[
            ("pkg/__init__.py", b""),
            ("pkg/messaging.py", FAKE_TRANSPORT_SETUP),
            ("pkg/worker.py", GREEN_WORKER),
            ("pkg/debugging.py", HELD_BY_A_PERSON),
            ("pkg/tests/__init__.py", b""),
            ("pkg/tests/base.py", base),
            (
                "pkg/tests/test_worker.py",
                b"from pkg.tests import base\nfrom pkg import worker\n\n\nclass WorkerTest(base.TestCase):\n    def test_run(self):\n        base.connect()\n        worker.run([worker.pause])\n",
            ),
        ])
    };
    let set_up = tree_with(b"import unittest\n\nfrom pkg import messaging\n\n\ndef connect():\n    pass\n\n\nclass TestCase(unittest.TestCase):\n    def setUp(self):\n        super().setUp()\n        messaging.setup('fake://')\n");
    let review = stdout(&eventless(&["scan", "--review"], set_up.path()));
    let pause = line_with(&review, "worker.py:12:5");
    assert!(
        pause.contains("rewrite by sleep (review: unpatched-runs")
            && pause.contains("tests/base.py:13"),
        "{pause}"
    );
    let helper = tree_with(b"import unittest\n\nfrom pkg import messaging\n\n\ndef connect():\n    messaging.setup('fake://')\n\n\nclass TestCase(unittest.TestCase):\n    pass\n");
    let review = stdout(&eventless(&["scan", "--review"], helper.path()));
    let pause = line_with(&review, "worker.py:12:5");
    assert!(
        pause.contains("manual") && pause.contains("only one of its tests monkey-patches"),
        "{pause}"
    );
}

/// A module named like a test that defines no test (heat's TestResource
/// plugin, `test_resource.py` in its resources package) is loaded by a
/// runner at most: its functions run only in the programs that call them,
/// here a service that patches everything.
#[test]
fn a_module_named_like_a_test_without_tests_runs_only_at_import() {
    let dir = tree(&[
        (
            "setup.cfg",
            b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-engine = pkg.engine:main\n",
        ),
        ("pkg/__init__.py", b""),
        (
            "pkg/engine.py",
            b"import eventlet\n\neventlet.monkey_patch()\n\nfrom pkg.plugins import test_resource  # noqa\n\n\ndef main():\n    test_resource.TestResource().handle_create()\n",
        ),
        ("pkg/plugins/__init__.py", b""),
        (
            "pkg/plugins/test_resource.py",
            b"import eventlet\n\nfrom pkg import worker\n\n\nclass TestResource:\n    def handle_create(self):\n        worker.run([])\n        eventlet.sleep(1)\n",
        ),
        ("pkg/worker.py", GREEN_WORKER),
        ("pkg/debugging.py", HELD_BY_A_PERSON),
    ]);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        line_with(&scan, "test_resource.py:9:9").contains("rewrite by sleep (safe)"),
        "{scan}"
    );
}

/// A mock of eventlet's sleep made by a `with` block around an installed
/// library's code only (nova's vmware tests, around oslo.vmware's session)
/// catches that library's calls and nothing of the project's: it stays,
/// and the project's sleeps the same tests reach elsewhere move. A block
/// that runs a project sleep holds it as before.
#[test]
fn a_with_block_mock_holds_only_the_code_its_block_runs() {
    let tree_with = |block: &[u8]| {
        let test = [
            &b"import unittest\nfrom unittest import mock\n\nfrom eventlet import greenthread\nfrom oslo_vmware import api  # noqa\n\nfrom pkg import service\nfrom pkg import session\n\n\nclass SessionTest(unittest.TestCase):\n    def test_session(self):\n        with mock.patch.object(greenthread, 'sleep'):\n"[..],
            block,
            b"\n    def test_wait(self):\n        service.wait_a_bit()\n",
        ]
        .concat();
        tree(&[
            ("pkg/__init__.py", b""),
            (
                "pkg/service.py",
                b"from eventlet import greenthread\n\n\ndef wait_a_bit():\n    greenthread.sleep(1)\n",
            ),
            (
                "pkg/session.py",
                b"from oslo_vmware import api\n\n\nclass Session(api.VMwareAPISession):\n    pass\n",
            ),
            (
                "pkg/tests/__init__.py",
                b"import eventlet\n\neventlet.monkey_patch()\n",
            ),
            ("pkg/tests/test_session.py", &test),
        ])
    };
    let library_only = tree_with(b"            self.conn = session.Session()\n");
    let scan = stdout(&eventless(&["scan", "."], library_only.path()));
    assert!(
        line_with(&scan, "service.py:5:5").contains("rewrite by sleep (safe)"),
        "{scan}"
    );
    assert!(
        line_with(&scan, "test_session.py:13:").contains("runs no code of the project"),
        "{scan}"
    );
    let runs_code =
        tree_with(b"            self.conn = session.Session()\n            service.wait_a_bit()\n");
    let scan = stdout(&eventless(&["scan", "--review", "."], runs_code.path()));
    assert!(
        line_with(&scan, "service.py:5:5").contains("an installed library calls it too"),
        "{scan}"
    );
}

/// A use only a person can migrate, in a module of its own: while it
/// stays, the project is not switched to native threads, and the other
/// uses are decided for the programs as they run today.
const HELD_BY_A_PERSON: &[u8] = b"import eventlet.debug\n\neventlet.debug.spew()\n";

/// A module that makes an oslo.messaging server, which polls with
/// `time.sleep` in any test run that imports it, and a test that does.
const RPC_SERVER: &[u8] = b"import oslo_messaging as messaging\n\n\n\
    def get_server(transport, target, endpoints):\n    \
    return messaging.get_rpc_server(transport, target, endpoints)\n";
const RPC_SERVER_TEST: &[u8] = b"from pkg import rpc\n\n\ndef test_rpc():\n    assert rpc\n";

/// A messaging setup that patches time only for its fake transport (heat's).
const FAKE_TRANSPORT_SETUP: &[u8] = b"import eventlet\n\n\ndef setup(url=None):\n    if url and url.startswith('fake://'):\n        eventlet.monkey_patch(time=True)\n";

/// A module whose `run` starts green threads in a pool, and whose `pause`
/// sleeps: line 12.
const GREEN_WORKER: &[u8] = b"import eventlet\n\n\ndef run(jobs):\n    pool = eventlet.GreenPool()\n    for job in jobs:\n        pool.spawn(job)\n    pool.waitall()\n\n\ndef pause():\n    eventlet.sleep(1)\n";

/// A script in a package may be run by its path, which imports none of
/// its packages: the package's monkey_patch() does not cover it then
/// (neutron's functional tests run their ipt_binname.py helper so).
#[test]
fn a_script_run_by_its_path_is_not_patched_by_its_package() {
    let script = b"import sys\n\n\ndef name():\n    print(sys.argv[0])\n\n\nif __name__ == '__main__':\n    import eventlet\n\n    eventlet.spawn(name).wait()\n";
    let dir = tree(&[
        (
            "tests/__init__.py",
            b"import eventlet\n\neventlet.monkey_patch()\n",
        ),
        ("tests/bin/__init__.py", b""),
        ("tests/bin/tool.py", script),
        ("keep.py", HELD_BY_A_PERSON),
    ]);
    let scan = stdout(&eventless(&["scan", "--review", "."], dir.path()));
    assert!(
        line_with(&scan, "tool.py:11:5").contains(
            "manual (with the switch): green threads or hub timers run in the script tests/bin/tool.py run by its path"
        ),
        "{scan}"
    );
}

/// The import of the project's helpers module starts a group after the
/// third-party imports, as OpenStack groups them, not among them.
#[test]
fn the_helpers_module_import_comes_after_the_third_party_group() {
    let dir = tree(&[
        (
            "setup.cfg",
            b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-svc = pkg.svc:main\n",
        ),
        ("pkg/__init__.py", b""),
        (
            "pkg/svc.py",
            b"import eventlet\neventlet.monkey_patch()\n\nfrom pkg import jobs  # noqa\n\n\ndef main():\n    pass\n",
        ),
        (
            "pkg/jobs.py",
            b"import sys\n\nfrom oslo_config import cfg\nimport eventlet\n\n\ndef run(g):\n    return eventlet.spawn(g, cfg, sys).wait()\n",
        ),
        // A second caller: the helper goes in the shared module.
        (
            "pkg/tasks.py",
            b"import eventlet\n\n\ndef run(g):\n    return eventlet.spawn(g).wait()\n",
        ),
    ]);
    let out = eventless(&["apply", "--review", "."], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let jobs = std::fs::read_to_string(dir.path().join("pkg/jobs.py")).unwrap();
    assert!(
        jobs.starts_with(
            "import sys\n\nfrom oslo_config import cfg\n\nfrom pkg import threading_helpers\n\n\n"
        ),
        "{jobs}"
    );
}

/// A comment about eventlet beside a rewritten line stays as it is, and
/// the summary and the JSON report point at it.
#[test]
fn comments_about_eventlet_beside_a_rewrite_are_pointed_out() {
    let code = "import eventlet\n\n\ndef f():\n    # Yield to the other greenthreads.\n    eventlet.sleep(0)\n    eventlet.sleep(1)  # wait for the hub\n\n\ndef g():\n    # A comment that does not say.\n    eventlet.sleep(2)\n";
    let dir = tree(&[("a.py", code.as_bytes())]);
    let out = eventless(&["diff", "--color", "never", "."], dir.path());
    assert!(
        stdout(&out).contains("     # Yield to the other greenthreads.\n-    eventlet.sleep(0)\n"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains(
            "1 comment or log message beside rewritten lines speaks of eventlet or green threads and may no longer hold: ./a.py:5\n"
        ),
        "{}",
        stderr(&out)
    );
    let json = stdout(&eventless(&["scan", "--format", "json", "."], dir.path()));
    assert_eq!(
        json.matches("\"comments\": [\n            5\n          ]")
            .count(),
        1,
        "{json}"
    );
    assert_eq!(json.matches("\"comments\"").count(), 1, "{json}");

    // So is the message of a log call right above the statement.
    let logged = "import logging\n\nimport eventlet\n\nLOG = logging.getLogger(__name__)\n\n\n\
                  def f():\n    LOG.debug('Calling eventlet.sleep(0)')\n    eventlet.sleep(0)\n";
    std::fs::write(dir.path().join("a.py"), logged).unwrap();
    let out = eventless(&["diff", "--color", "never", "."], dir.path());
    assert!(
        stderr(&out).contains(
            "1 comment or log message beside rewritten lines speaks of eventlet or green \
             threads and may no longer hold: ./a.py:9\n"
        ) && stdout(&out).contains("     LOG.debug('Calling eventlet.sleep(0)')\n"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// A module's main block patches only when the module is run as a script,
/// not for the programs that import it (oslo.service's backdoor).
#[test]
fn a_main_block_patches_only_the_script_not_its_importers() {
    let dir = tree(&[
        (
            "setup.cfg",
            b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-api = pkg.api:main\n",
        ),
        ("pkg/__init__.py", b""),
        (
            "pkg/api.py",
            b"import eventlet\n\nfrom pkg import backdoor\n\n\ndef main():\n    eventlet.spawn_n(backdoor.serve)\n    eventlet.sleep(1)\n",
        ),
        (
            "pkg/backdoor.py",
            b"import eventlet\n\n\ndef serve():\n    pass\n\n\ndef _main():\n    eventlet.monkey_patch()\n    eventlet.sleep(2)\n\n\nif __name__ == '__main__':\n    _main()\n",
        ),
    ]);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        line_with(&scan, "api.py:8:5")
            .contains("manual: green threads or hub timers run in console script pkg-api"),
        "{scan}"
    );
}

/// A monkey_patch() made by one test does not patch the module's other
/// tests: an Event a green thread sets stays eventlet's (a Future's
/// result() would block the hub, and the test would hang).
#[test]
fn a_patch_made_by_one_test_is_not_counted_for_the_others() {
    let test = b"import eventlet\nimport eventlet.event\n\n\ndef test_patch():\n    \
                 eventlet.monkey_patch()\n\n\ndef test_event():\n    \
                 done = eventlet.event.Event()\n\n    def finish():\n        done.send(1)\n\n    \
                 eventlet.spawn(finish)\n    assert done.wait() == 1\n";
    let dir = tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_x.py", test),
        ("keep.py", HELD_BY_A_PERSON),
    ]);
    let scan = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
    let event = line_with(&scan, "test_x.py:10:12: eventlet.event.Event");
    assert!(
        event.contains("manual")
            && event.contains("only one of its tests monkey-patches (./pkg/tests/test_x.py:6)"),
        "{event}"
    );
}

/// A project whose service patches at import: its code is decided for that
/// program wherever the run starts, and a sub-path run edits only the
/// sub-path, never makes a rewrite the whole run would not, and keeps code
/// whose mock lies outside it.
#[test]
fn a_sub_path_run_is_decided_for_the_whole_project() {
    let dir = tree(&[
        (
            "setup.cfg",
            b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-agent = pkg.cmd.agent:main\n",
        ),
        ("pkg/__init__.py", b""),
        (
            "pkg/cmd/__init__.py",
            b"import eventlet\n\neventlet.monkey_patch()\n",
        ),
        (
            "pkg/cmd/agent.py",
            b"import eventlet\n\nfrom pkg import net\nfrom pkg import worker\n\n\ndef main():\n    eventlet.spawn(worker.loop)\n    net.connect()\n",
        ),
        (
            "pkg/net.py",
            b"from eventlet import patcher\n\nsocket = patcher.original('socket')\n\n\ndef connect():\n    return socket.socket()\n",
        ),
        (
            "pkg/worker.py",
            b"import eventlet\n\n\ndef loop():\n    eventlet.sleep(1)\n",
        ),
        ("pkg/tests/__init__.py", b""),
        (
            "pkg/tests/test_worker.py",
            b"from unittest import mock\n\nimport pkg.cmd  # noqa\nfrom pkg import worker\n\n\n@mock.patch('eventlet.sleep')\ndef test_loop(sleep):\n    worker.loop()\n",
        ),
    ]);
    let d = dir.path().join("pkg");
    // The service patches: patcher.original() stays, from anywhere, until
    // the switch.
    for path in ["net.py", "."] {
        let scan = stdout(&eventless(&["scan", "--accept", "module-copy", path], &d));
        assert!(
            scan.contains(
                "patcher.original [patcher] manual (with the switch): console script pkg-agent"
            ),
            "{path}:\n{scan}"
        );
        assert!(scan.contains("analysed 7 Python files under .."), "{scan}");
    }
    // The worker's sleep moves with its mock in the whole run ...
    let whole = stdout(&eventless(
        &["diff", "--accept", "wider-mock", "."],
        dir.path(),
    ));
    assert!(
        whole.contains("+    time.sleep(1)") && whole.contains("+@mock.patch('time.sleep')"),
        "{whole}"
    );
    // ... but not when the mock lies outside the paths.
    let sub = eventless(
        &["diff", "--accept", "wider-mock", "pkg/worker.py"],
        dir.path(),
    );
    assert_eq!(stdout(&sub), "", "{}", stderr(&sub));
    assert!(
        stderr(&sub).contains("rewrites within pkg/worker.py"),
        "{}",
        stderr(&sub)
    );
    let scan = stdout(&eventless(
        &["scan", "--accept", "wider-mock", "pkg/worker.py"],
        dir.path(),
    ));
    assert!(scan.contains("outside the paths given"), "{scan}");
    let json: serde_json::Value = serde_json::from_slice(
        &eventless(&["scan", "--format", "json", "pkg/worker.py"], dir.path()).stdout,
    )
    .unwrap();
    assert_eq!(json["project"]["paths"][0], "pkg/worker.py", "{json}");
    assert_eq!(json["project"]["entry_points"], 1, "{json}");
    // --no-project takes the path for the project, as before.
    let alone = stdout(&eventless(
        &["scan", "--no-project", "pkg/net.py"],
        dir.path(),
    ));
    assert!(alone.contains("rewrite by patcher-original"), "{alone}");
}

/// A package whose tests patch eventlet where one of its modules finds it.
fn mocked_through_a_module(manager: &str, test: &str) -> tempfile::TempDir {
    tree(&[
        (".git/HEAD", b"ref: refs/heads/master\n"),
        ("pkg/__init__.py", b""),
        ("pkg/a/__init__.py", b""),
        ("pkg/a/manager.py", manager.as_bytes()),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_a.py", test.as_bytes()),
    ])
}

/// `mock.patch('pkg.a.manager.eventlet.sleep')` patches eventlet's sleep:
/// when the module's sleeps become time.sleep, the mock follows to what the
/// module calls, by a string or through the module object, even in a test
/// file that never says "eventlet".
#[test]
fn a_mock_through_a_module_follows_its_code() {
    let manager = "import eventlet\nfrom eventlet import greenthread\n\n\ndef wait():\n    eventlet.sleep(1)\n    greenthread.sleep(2)\n";
    let test = "from unittest import mock\n\nfrom pkg.a import manager\n\n\n@mock.patch('pkg.a.manager.greenthread.sleep')\ndef test_wait(sleep):\n    manager.wait()\n    with mock.patch.object(manager.greenthread, 'sleep'):\n        manager.wait()\n";
    let dir = mocked_through_a_module(manager, test);
    let diff = stdout(&eventless(
        &["diff", "--review", "--color", "never", "."],
        dir.path(),
    ));
    for line in [
        "+import time\n",
        "+    time.sleep(1)\n",
        "+@mock.patch('pkg.a.manager.time.sleep')\n",
        "+    with mock.patch.object(manager.time, 'sleep'):\n",
    ] {
        assert!(diff.contains(line), "{line}\n{diff}");
    }
    // Run on the module alone, its test cannot follow: both stay, and the
    // module's finding names the test.
    let sub = stdout(&eventless(&["diff", "--review", "pkg/a"], dir.path()));
    assert_eq!(sub, "");
    let scan = stdout(&eventless(&["scan", "--review", "pkg/a"], dir.path()));
    assert!(
        scan.contains(
            "cannot follow a rewrite (first at ./pkg/tests/test_a.py:6, outside the paths given)"
        ),
        "{scan}"
    );
}

/// A test's mock of a module's `eventlet` cannot catch what the module ran
/// as it was imported: that code moves where a function of the module
/// keeps the name for the mock, and stays where it is the name's only use
/// (the import would go, and the mock's target with it).
#[test]
fn code_run_at_import_is_not_kept_for_a_mock() {
    let test = "from unittest import mock\n\nfrom pkg.a import manager\n\n\n@mock.patch('pkg.a.manager.eventlet')\ndef test_wait(green):\n    manager.wait()\n";
    let manager = "import eventlet\n\neventlet.sleep(0)\n\n\ndef wait():\n    eventlet.sleep(2)\n";
    let dir = mocked_through_a_module(manager, test);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        line_with(&scan, "manager.py:3:1:").contains("rewrite by"),
        "{scan}"
    );
    assert!(
        line_with(&scan, "manager.py:7:5:").contains("the test replaces 'eventlet'"),
        "{scan}"
    );
    let alone = "import eventlet\n\neventlet.sleep(0)\n";
    let dir = mocked_through_a_module(alone, test);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        line_with(&scan, "manager.py:3:1:").contains("the test replaces 'eventlet'"),
        "{scan}"
    );
}

/// `mock.patch('pkg.a.manager.sleep')` after `from eventlet import sleep`,
/// or a patch of the module's whole `eventlet`, replaces a name the module
/// looks up: the code that does stays, the scan says which test patches
/// it, and the rest of the module moves.
#[test]
fn a_mock_of_a_module_name_keeps_the_code_that_looks_it_up() {
    let manager = "import eventlet\nfrom eventlet import greenthread\nfrom eventlet import sleep\n\n\ndef wait():\n    sleep(1)\n    eventlet.sleep(2)\n    greenthread.sleep(3)\n";
    let test = "from unittest import mock\n\nfrom pkg.a import manager\n\n\n@mock.patch('pkg.a.manager.sleep')\ndef test_wait(sleep):\n    manager.wait()\n    with mock.patch.object(manager, 'eventlet'):\n        manager.wait()\n";
    let dir = mocked_through_a_module(manager, test);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        scan.contains(
            "./pkg/a/manager.py:7:5: eventlet.greenthread.sleep [sleep] manual: mocked by \
             ./pkg/tests/test_a.py:6 through pkg.a.manager.sleep: the test replaces 'sleep' \
             in this module"
        ),
        "{scan}"
    );
    assert!(
        scan.contains(
            "./pkg/a/manager.py:8:5: eventlet.greenthread.sleep [sleep] manual: mocked by \
             ./pkg/tests/test_a.py:9 through pkg.a.manager.eventlet:"
        ),
        "{scan}"
    );
    assert!(
        scan.contains("./pkg/a/manager.py:9:5: eventlet.greenthread.sleep [sleep] rewrite"),
        "{scan}"
    );
    let out = eventless(&["apply", "."], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let rewritten = std::fs::read_to_string(dir.path().join("pkg/a/manager.py")).unwrap();
    assert_eq!(
        rewritten,
        "import time\n\nimport eventlet\nfrom eventlet import sleep\n\n\ndef wait():\n    sleep(1)\n    eventlet.sleep(2)\n    time.sleep(3)\n"
    );
    let untouched = std::fs::read_to_string(dir.path().join("pkg/tests/test_a.py")).unwrap();
    assert_eq!(untouched, test);
}

/// A review-level rewrite is reported by default with the differences that
/// would unlock it, and made with `--review`, `--accept` of its difference,
/// or `accept` in eventless.toml; every report names the difference.
#[test]
fn review_rewrites_are_made_only_when_asked() {
    let code = b"import eventlet\nimport oslo_messaging\n\neventlet.monkey_patch()\n\n\ndef serve(t, target, endpoints):\n    eventlet.spawn_n(print, 1)\n    return oslo_messaging.get_rpc_server(t, target, endpoints,\n                                         executor='eventlet')\n";
    let dir = tree(&[("rpc.py", code)]);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        scan.contains(
            "a review-level rewrite by oslo-messaging-executor with named differences \
             (executor-class; start-order; reused-worker; exit-waits); --accept \
             executor-class,start-order,reused-worker,exit-waits or --review applies it"
        ),
        "{scan}"
    );
    assert!(
        scan.contains(
            "1 with executor-class,start-order,reused-worker,exit-waits, 1 with start-order"
        ),
        "{scan}"
    );
    let threading = "+                                         executor='threading')";
    for flags in [
        &["--review"][..],
        &["--safety", "review"],
        &[
            "--accept",
            "executor-class,start-order,reused-worker,exit-waits",
        ],
    ] {
        let out = eventless(&[&["diff"], flags, &["."]].concat(), dir.path());
        assert!(
            stdout(&out).contains(threading),
            "{flags:?}: {}",
            stdout(&out)
        );
        assert!(
            stderr(&out).contains("review level: "),
            "the diff summary names the differences: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("\n  executor-class: ./rpc.py:10\n"),
            "and where each shows: {}",
            stderr(&out)
        );
    }
    let some = stdout(&eventless(
        &[
            "diff",
            "--accept",
            "executor-class,reused-worker,exit-waits",
            ".",
        ],
        dir.path(),
    ));
    assert!(
        !some.contains("threading.Thread") && !some.contains(threading),
        "start-order not accepted: {some}"
    );
    let unknown = eventless(&["diff", "--accept", "start-ordr", "."], dir.path());
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    assert!(stderr(&unknown).contains("unknown difference id 'start-ordr'"));

    std::fs::write(
        dir.path().join("eventless.toml"),
        "[options]\naccept = [\"start-order\"]\n",
    )
    .unwrap();
    let configured = stdout(&eventless(&["diff", "."], dir.path()));
    assert!(
        configured.contains("threading.Thread(target=print, args=(1,), daemon=True)"),
        "{configured}"
    );
    assert!(!configured.contains(threading), "{configured}");
    let json: serde_json::Value =
        serde_json::from_slice(&eventless(&["scan", "--format", "json", "."], dir.path()).stdout)
            .unwrap();
    let findings = json["files"][0]["findings"].as_array().unwrap();
    let spawn = findings
        .iter()
        .find(|f| f["api"] == "eventlet.greenthread.spawn_n")
        .unwrap();
    assert_eq!(spawn["differences"][0], "start-order", "{spawn}");
    assert_eq!(
        json["summary"]["unlockable"]["executor-class,start-order,reused-worker,exit-waits"], 1,
        "{json}"
    );
    let sarif = stdout(&eventless(&["scan", "--format", "sarif", "."], dir.path()));
    assert!(
        sarif.contains("behaviour differences: start-order"),
        "{sarif}"
    );
    let markdown = stdout(&eventless(
        &["scan", "--format", "markdown", "."],
        dir.path(),
    ));
    assert!(
        markdown.contains("rewritten; check start-order"),
        "{markdown}"
    );
    assert!(
        markdown.contains("manual; rewritten with --accept executor-class"),
        "{markdown}"
    );
    std::fs::write(
        dir.path().join("eventless.toml"),
        "[options]\naccept = [\"nope\"]\n",
    )
    .unwrap();
    let bad = eventless(&["scan", "."], dir.path());
    assert!(
        stderr(&bad).contains("accept names unknown difference 'nope'"),
        "{}",
        stderr(&bad)
    );
    std::fs::remove_file(dir.path().join("eventless.toml")).unwrap();

    let listed = stdout(&eventless(&["transforms", "differences"], dir.path()));
    assert!(
        listed.contains("start-order\n  The new thread may start running"),
        "{listed}"
    );
    assert!(
        listed
            .contains("rewrites with it: futurist-thread-pool-patched, futurist-thread-pool-kept, greenpool-executor, greenpool-executor-patched, greenpile-executor, oslo-messaging-executor-default-unpatched, oslo-messaging-executor, oslo-messaging-executor-assertion, spawn-statement"),
        "{listed}"
    );
    let shown = stdout(&eventless(
        &["transforms", "show", "spawn-after-timer"],
        dir.path(),
    ));
    assert!(
        shown.contains("review level, with these behaviour differences"),
        "{shown}"
    );
    assert!(
        shown.contains("  exit-waits: A thread still pending or running at exit"),
        "{shown}"
    );
    // A difference a member's use gives is listed with the transform too.
    let unprinted = listed
        .split("\n\n")
        .find(|d| d.starts_with("unprinted-exception\n"))
        .unwrap_or_default();
    assert!(
        unprinted.ends_with("rewrites with it: greenpool-executor, greenpool-executor-patched"),
        "{listed}"
    );
    let pool = stdout(&eventless(
        &["transforms", "show", "greenpool-executor"],
        dir.path(),
    ));
    assert!(
        pool.contains("and where its object is used so (see above):\n  exit-waits: ")
            && pool.contains("\n  unprinted-exception: An exception a pool's task raises"),
        "{pool}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&eventless(&["scan", "--format", "json", "."], dir.path()).stdout)
            .unwrap();
    assert_eq!(json["project"]["files_analysed"], 1, "{json}");
    assert!(json["project"]["paths"].is_null(), "{json}");
}

/// `# eventless: ignore` keeps the uses on its line from every transform,
/// `# eventless: ignore[ID,...]` from those; scan lists them as kept.
#[test]
fn suppression_comments_keep_a_line() {
    let code = "import eventlet\n\n\ndef f():\n    eventlet.sleep(1)\n    eventlet.sleep(2)  # eventless: ignore\n    eventlet.sleep(3)  # noqa  # eventless: ignore[sleep]\n    eventlet.sleep(4)  # eventless: ignore[spawn-statement]\n";
    let dir = tree(&[("a.py", code.as_bytes())]);
    let diff = stdout(&eventless(&["diff", "."], dir.path()));
    assert!(diff.contains("+    time.sleep(1)\n"), "{diff}");
    assert!(
        diff.contains("+    time.sleep(4)  # eventless: ignore[spawn-statement]\n"),
        "{diff}"
    );
    assert!(
        !diff.contains("time.sleep(2)") && !diff.contains("time.sleep(3)"),
        "{diff}"
    );
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert_eq!(
        scan.matches("kept as it is by the '# eventless: ignore' comment on its line")
            .count(),
        2,
        "{scan}"
    );

    // On an import, the comment keeps the import and the uses of the name
    // it binds: rewriting them would rewrite the import.
    let code = "from eventlet.green import socket  # eventless: ignore\n\n\ndef f():\n    return socket.AF_INET\n";
    let dir = tree(&[("b.py", code.as_bytes())]);
    let diff = eventless(&["diff", "--assume-monkey-patched", "."], dir.path());
    assert_eq!(stdout(&diff), "", "{}", stderr(&diff));
    let scan = stdout(&eventless(
        &["scan", "--assume-monkey-patched", "."],
        dir.path(),
    ));
    assert!(
        scan.contains(
            "./b.py:5:12: eventlet.green.socket [green] manual: kept as it is by the '# \
             eventless: ignore' comment on its import's line"
        ),
        "{scan}"
    );
}

/// A comment between a call's arguments is the user's: a rewrite that
/// would render the call anew without it stays. One inside an argument
/// the rewrite copies goes with it.
#[test]
fn a_comment_a_rewrite_would_drop_keeps_the_call() {
    let code = "import eventlet\n\n\ndef f(x):\n    eventlet.sleep(  # a second\n        1)\n    \
                eventlet.sleep(max(1,  # at least one\n                       x))\n";
    let dir = tree(&[("a.py", code.as_bytes())]);
    let diff = stdout(&eventless(&["diff", "--color", "never", "."], dir.path()));
    assert!(
        diff.contains(
            "-    eventlet.sleep(max(1,  # at least one\n-                       x))\n\
             +    time.sleep(max(1,  # at least one\n+                   x))\n"
        ) && !diff.contains("time.sleep(1)"),
        "{diff}"
    );
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        scan.contains(
            "./a.py:5:5: eventlet.greenthread.sleep [sleep] manual: the comment at line 5 is \
             inside what the rewrite replaces, which would drop it"
        ),
        "{scan}"
    );
}

/// A star import of eventlet binds names that are not followed: it is a
/// use left for a person, so the verdict keeps eventlet.
#[test]
fn a_star_import_is_left_for_a_person() {
    let dir = tree(&[(
        "a.py",
        b"from eventlet import *\n\n\ndef f():\n    sleep(1)\n",
    )]);
    let scan = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        scan.contains("./a.py:1:1: eventlet.* [import] manual: a star import")
            && scan.contains("verdict: eventlet cannot be switched off yet: 1 use needs a person"),
        "{scan}"
    );
    let diff = eventless(&["diff", "."], dir.path());
    assert_eq!(stdout(&diff), "", "{}", stderr(&diff));
}

/// A batch in patches mode without a folder for them is a usage error, at
/// once, before any repository runs.
#[test]
fn batch_patches_without_out_is_a_usage_error() {
    let dir = tree(&[("m.toml", b"[[repo]]\npath = \"nowhere\"\n")]);
    let out = eventless(&["batch", "m.toml", "--mode", "patches"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--out <DIR>"), "{}", stderr(&out));
}

/// Paths that overlap name each file once: one diff, counted once.
#[test]
fn overlapping_paths_count_each_file_once() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    let out = eventless(&["diff", "a.py", ".", "./a.py"], dir.path());
    assert_eq!(
        stdout(&out).matches("+++ b/").count(),
        1,
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("1 file would be rewritten"),
        "{}",
        stderr(&out)
    );
}

/// `scan --exit-non-zero-on-manual` is a gate: 1 while a use needs a person.
#[test]
fn scan_can_gate_on_uses_left_for_a_person() {
    let manual = tree(&[(
        "a.py",
        b"import eventlet\n\nhub = eventlet.hubs.get_hub()\n",
    )]);
    let gate = |dir: &Path| {
        eventless(&["scan", "--exit-non-zero-on-manual", "."], dir)
            .status
            .code()
    };
    assert_eq!(gate(manual.path()), Some(1));
    assert_eq!(
        eventless(&["scan", "."], manual.path()).status.code(),
        Some(0)
    );
    let rewritable = tree(&[("a.py", b"import eventlet\n\neventlet.sleep(1)\n")]);
    assert_eq!(gate(rewritable.path()), Some(0));
}

/// scan's JSON says a file changes when its uses are rewritten (scan plans
/// no text), as diff of the same file shows.
#[test]
fn scan_json_says_which_files_change() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    let json: serde_json::Value = serde_json::from_slice(
        &eventless(&["scan", "--format", "json", "a.py"], dir.path()).stdout,
    )
    .unwrap();
    assert_eq!(json["files"][0]["changes"], true, "{json}");
    assert_eq!(json["summary"]["files_to_change"], 1, "{json}");
}

/// apply says what it wrote: a file it refused (read-only), or whose hunks
/// were all declined, is not counted as rewritten.
#[test]
fn apply_counts_only_what_it_wrote() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("a.py", SLEEPY.as_bytes()), ("b.py", SLEEPY.as_bytes())]);
    let b = dir.path().join("b.py");
    std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = eventless(&["apply", "--no-cache", "."], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("file is read-only; left alone"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("1 file rewritten (2 rewrites)"),
        "{}",
        stderr(&out)
    );
    let declined = tree(&[("a.py", SLEEPY.as_bytes())]);
    let out = apply_interactively(declined.path(), "h\nn\nn\nn\n");
    assert!(
        stderr(&out).contains("0 files rewritten (0 rewrites)"),
        "{}",
        stderr(&out)
    );
}

/// `scan --statistics` counts the uses per API and fate, most first.
#[test]
fn scan_statistics_count_per_api_and_fate() {
    let code = "import eventlet\n\n\ndef f(t):\n    eventlet.sleep(1)\n    eventlet.sleep(2)\n    eventlet.kill(t)\n";
    let dir = tree(&[("a.py", code.as_bytes()), ("b.py", code.as_bytes())]);
    let stats = stdout(&eventless(&["scan", "--statistics", "."], dir.path()));
    let lines: Vec<&str> = stats.lines().collect();
    assert_eq!(
        lines[0], "4  eventlet.greenthread.sleep  rewrite by sleep",
        "{stats}"
    );
    assert!(
        lines[1]
            .starts_with("2  eventlet.greenthread.kill  manual: Native threads cannot be killed"),
        "{stats}"
    );
    assert!(stats.contains("6 eventlet uses"), "{stats}");
    let json = eventless(
        &["scan", "--statistics", "--format", "json", "."],
        dir.path(),
    );
    assert_eq!(json.status.code(), Some(2));
}

/// `[tool.eventless]` in pyproject.toml configures as eventless.toml does.
#[test]
fn pyproject_tool_table_is_read() {
    let dir = tree(&[
        ("a.py", SLEEPY.as_bytes()),
        (
            "pyproject.toml",
            b"[project]\nname = \"a\"\n\n[tool.eventless.options]\nassume_monkey_patched = true\n",
        ),
    ]);
    let out = eventless(&["scan", "."], dir.path());
    assert!(
        stderr(&out).contains("using") && stderr(&out).contains("pyproject.toml"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("rewrite by sleep"),
        "{}",
        stdout(&out)
    );
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"a\"\n",
    )
    .unwrap();
    let plain = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        plain.contains("whether its users monkey-patch 'time' is not known"),
        "{plain}"
    );
}

/// The JSON report carries its version and the verdict the Markdown has.
#[test]
fn json_report_has_a_version_and_the_verdict() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    let json: serde_json::Value =
        serde_json::from_slice(&eventless(&["scan", "--format", "json", "."], dir.path()).stdout)
            .unwrap();
    assert_eq!(json["version"], 2, "{json}");
    assert_eq!(json["verdict"]["deactivable"], true, "{json}");
    assert_eq!(json["verdict"]["complexity"], 1, "{json}");
    assert_eq!(json["summary"]["rewrite_review"], 0, "{json}");
}

/// The Markdown inventory lists import lines too, marked as imports, once
/// per line.
#[test]
fn markdown_occurrences_list_imports() {
    let code = "import eventlet.timeout\nfrom eventlet import queue, semaphore\n\n\ndef f():\n    eventlet.sleep(1)\n";
    let dir = tree(&[("base.py", code.as_bytes())]);
    let md = stdout(&eventless(
        &["scan", "--format", "markdown", "."],
        dir.path(),
    ));
    assert!(
        md.contains("- base.py:1 : `import eventlet.timeout` (import)"),
        "{md}"
    );
    assert_eq!(
        md.matches("- base.py:2 : `from eventlet import queue, semaphore` (import)")
            .count(),
        1,
        "{md}"
    );
}

/// A project without packaging whose test mocks the worker's sleep.
fn mocking_project() -> tempfile::TempDir {
    tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/worker.py", b"def loop():\n    pass\n"),
        ("pkg/other.py", b"x = 1\n"),
        ("pkg/tests/__init__.py", b""),
        (
            "pkg/tests/test_worker.py",
            b"from unittest import mock\n\nfrom pkg import worker\n\n\n@mock.patch('eventlet.sleep')\ndef test_loop(sleep):\n    worker.loop()\n",
        ),
    ])
}

const LOOP: &str = "import eventlet\n\n\ndef loop():\n    eventlet.sleep(1)\n";

/// `-` reads the text of the file --stdin-filename names: it is decided as
/// that file on disk would be, the rest of the project read from disk.
#[test]
fn standard_input_is_decided_as_the_file_it_names() {
    let dir = mocking_project();
    let diff_of = |name: &str| {
        eventless_with_input(
            &["diff", "-", "--stdin-filename", name, "--color", "never"],
            dir.path(),
            LOOP.as_bytes(),
        )
    };
    // The worker's test mocks its sleep, outside the one file rewritten:
    // the sleep stays ...
    let worker = diff_of("pkg/worker.py");
    assert_eq!(worker.status.code(), Some(0), "{}", stderr(&worker));
    assert_eq!(stdout(&worker), "");
    let why = eventless_with_input(
        &["scan", "-", "--stdin-filename", "pkg/worker.py"],
        dir.path(),
        LOOP.as_bytes(),
    );
    assert!(
        stdout(&why).contains("the test module pkg/tests/test_worker.py run alone mocks"),
        "{}",
        stdout(&why)
    );
    // ... where the same text in a file no test mocks is rewritten.
    let other = diff_of("pkg/other.py");
    assert!(
        stdout(&other).starts_with("--- a/pkg/other.py\n+++ b/pkg/other.py\n")
            && stdout(&other).contains("+    time.sleep(1)\n"),
        "{}",
        stdout(&other)
    );
    // Each is what the run on the file says once the text is on disk.
    for (name, from_stdin) in [("pkg/worker.py", &worker), ("pkg/other.py", &other)] {
        std::fs::write(dir.path().join(name), LOOP).unwrap();
        let on_disk = eventless(&["diff", name, "--color", "never"], dir.path());
        assert_eq!(stdout(&on_disk), stdout(from_stdin), "{name}");
        assert_eq!(stderr(&on_disk), stderr(from_stdin), "{name}");
    }
}

/// The project's configuration decides for the text, also for a file not
/// saved yet; without a name the text stands alone, with the configuration
/// of the current folder.
#[test]
fn standard_input_follows_the_configuration_of_its_project() {
    let dir = tree(&[
        ("proj/eventless.toml", b"[options]\nsafety = \"safe\"\n"),
        ("proj/pkg/a.py", b"x = 1\n"),
    ]);
    let run = |args: &[&str], cwd: &Path| eventless_with_input(args, cwd, SLEEPY.as_bytes());
    for name in ["proj/pkg/a.py", "proj/pkg/new.py"] {
        let out = run(
            &[
                "diff",
                "--check",
                "-",
                "--stdin-filename",
                name,
                "--color",
                "never",
            ],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let diff = stdout(&out);
        assert!(diff.starts_with(&format!("--- a/{name}\n")), "{diff}");
        assert!(
            diff.contains("+    time.sleep(1)\n") && !diff.contains("max(0"),
            "{diff}"
        );
    }
    assert!(!dir.path().join("proj/pkg/new.py").exists());
    let alone = run(&["diff", "-", "--color", "never"], dir.path());
    assert_eq!(alone.status.code(), Some(0), "{}", stderr(&alone));
    assert!(
        stdout(&alone).starts_with("--- a/-\n") && stdout(&alone).contains("max(0, t)"),
        "{}",
        stdout(&alone)
    );
    let alone_in_project = run(&["diff", "-", "--color", "never"], &dir.path().join("proj"));
    assert!(
        stdout(&alone_in_project).contains("+    time.sleep(1)\n")
            && !stdout(&alone_in_project).contains("max(0"),
        "{}",
        stdout(&alone_in_project)
    );
}

/// `apply -` prints what `apply` writes to the file, and writes nothing;
/// a text with nothing to rewrite comes back as it was.
#[test]
fn apply_with_dash_prints_what_apply_would_write() {
    let text: &[u8] =
        b"\xef\xbb\xbfimport eventlet\r\n\r\n\r\ndef nap(t):\r\n    eventlet.sleep(t)\r\n";
    let dir = tree(&[("eventless.toml", b""), ("pkg/a.py", text)]);
    let args = ["apply", "-", "--stdin-filename", "pkg/a.py"];
    let printed = eventless_with_input(&args, dir.path(), text);
    assert_eq!(printed.status.code(), Some(0), "{}", stderr(&printed));
    assert!(
        stderr(&printed).contains("1 file rewritten (1 rewrite)"),
        "{}",
        stderr(&printed)
    );
    assert_eq!(std::fs::read(dir.path().join("pkg/a.py")).unwrap(), text);
    let applied = eventless(&["apply", "pkg/a.py"], dir.path());
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    let written = std::fs::read(dir.path().join("pkg/a.py")).unwrap();
    assert_ne!(written, text);
    assert_eq!(printed.stdout, written);
    let again = eventless_with_input(&args, dir.path(), &written);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(again.stdout, written);
}

#[test]
fn standard_input_usage_errors_exit_2() {
    let dir = tree(&[("a.py", SLEEPY.as_bytes())]);
    for (args, says) in [
        (
            &["diff", "-", "a.py"][..],
            "`-` (standard input) must be the only path",
        ),
        (
            &["diff", "-", "-"],
            "`-` (standard input) must be the only path",
        ),
        (
            &["scan", "a.py", "--stdin-filename", "a.py"],
            "--stdin-filename names the file standard input holds: give `-` as the path",
        ),
        (
            &["apply", "--interactive", "-"],
            "--interactive reads its answers from standard input",
        ),
        (
            &["commit", "-"],
            "`-` (standard input) is for scan, diff and apply",
        ),
        (
            &["diff", "-", "--stdin-filename", "requirements.txt"],
            "requirements.txt: --stdin-filename names the Python file",
        ),
        (
            &["diff", "-", "--stdin-filename", "no/such/folder/a.py"],
            "no/such/folder/a.py: its folder does not exist",
        ),
    ] {
        let out = eventless_with_input(args, dir.path(), SLEEPY.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        SLEEPY
    );
}

/// Text that is not UTF-8 or does not parse is skipped as such a file
/// would be, and `apply -` gives it back untouched.
#[test]
fn unreadable_standard_input_is_reported_and_echoed() {
    let dir = tree(&[("eventless.toml", b""), ("a.py", SLEEPY.as_bytes())]);
    let binary: &[u8] = b"import eventlet\neventlet.sleep(1)\nx = '\xff'\n";
    let broken: &[u8] = b"import eventlet\ndef f(:\n    eventlet.sleep(1)\n";
    for (input, says) in [
        (binary, "a.py: skipped: not valid UTF-8"),
        (broken, "a.py: skipped: syntax error at line 2"),
    ] {
        let run = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["-", "--stdin-filename", "a.py"]);
            eventless_with_input(&all, dir.path(), input)
        };
        let diff = run(&["diff", "--check"]);
        assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
        assert_eq!(stdout(&diff), "");
        assert!(stderr(&diff).contains(says), "{}", stderr(&diff));
        let apply = run(&["apply"]);
        assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
        assert_eq!(apply.stdout, input);
        assert!(stderr(&apply).contains(says), "{}", stderr(&apply));
        let gate = run(&["scan", "--exit-non-zero-on-manual"]);
        assert_eq!(gate.status.code(), Some(1), "{}", stderr(&gate));
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        SLEEPY
    );
}

/// A kept spawn handle needs the `_spawn_future` helper.
const RESIZER: &str = "import eventlet\n\n\ndef resize_all(instances, size):\n    first = eventlet.spawn(instances[0].resize, size)\n    return first.wait()\n";
const PINGER: &str = "\"\"\"Pings.\"\"\"\nimport eventlet\n\n\ndef ping(host):\n    return eventlet.spawn(host.ping).wait()\n";
const LICENSE: &str = "#    Licensed under the Apache License, Version 2.0 (the \"License\"); you may\n#    not use this file except in compliance with the License.\n";

/// A packaged project whose two modules need `_spawn_future`.
fn helper_project(extra: &[(&str, &[u8])]) -> tempfile::TempDir {
    let init = format!("# Copyright 2020 Ann Dev\n#\n{LICENSE}");
    let version = format!("# Copyright 2021 Bob Dev\n{LICENSE}\nVERSION = '1.0'\n");
    let mut files: Vec<(&str, &[u8])> = vec![
        ("setup.cfg", b"[metadata]\nname = proj\n"),
        ("proj/__init__.py", init.as_bytes()),
        ("proj/version.py", version.as_bytes()),
        ("proj/resize.py", RESIZER.as_bytes()),
        ("proj/net/__init__.py", b""),
        ("proj/net/ping.py", PINGER.as_bytes()),
    ];
    files.extend_from_slice(extra);
    tree(&files)
}

/// The flags of the helper placement tests: spawns rewritten at the
/// review level, in programs that patch threads.
const SPAWNS_AT_REVIEW: [&str; 4] = [
    "--assume-monkey-patched",
    "--accept",
    "start-order",
    "--no-cache",
];

/// Asserts that an uncoloured diff defines `_spawn_future` in the one file
/// that calls it, and its summary says so, rather than in a new
/// `./proj/threading_helpers.py`.
fn assert_helper_in_its_caller(diff: &std::process::Output) {
    let (out, err) = (stdout(diff), stderr(diff));
    assert!(
        out.contains("+def _spawn_future(") && !out.contains("threading_helpers"),
        "{out}"
    );
    assert!(
        err.contains(
            "helpers defined in the one file that calls them, not in a new \
             ./proj/threading_helpers.py that only it would import\n"
        ),
        "{err}"
    );
}

/// Every Python file under `dir`, with its text.
fn python_files(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(python_files(&path));
        } else if path.extension().is_some_and(|e| e == "py") {
            let text = std::fs::read_to_string(&path).unwrap();
            found.push((path, text));
        }
    }
    found
}

/// A new helpers module that only tests and tools call is pointed out: the
/// package gets a module its own code never imports.
#[test]
fn a_helpers_module_only_tests_and_tools_call_is_pointed_out() {
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = proj\n"),
        ("proj/__init__.py", b""),
        ("proj/tests/__init__.py", b""),
        ("proj/tests/test_resize.py", RESIZER.as_bytes()),
        ("tools/ping.py", PINGER.as_bytes()),
    ]);
    let diff = eventless(
        &[
            "diff",
            "--assume-monkey-patched",
            "--accept",
            "start-order",
            "--no-cache",
        ],
        dir.path(),
    );
    assert!(
        stderr(&diff).contains(
            "helpers defined once, in ./proj/threading_helpers.py (a new module): spawn_future \
             (called from 2 files)\n  only tests and tools call it, not the package it joins: \
             `helpers_module` in eventless.toml can name a module of theirs instead\n  the \
             project is a library, whose modules are its public API: `helpers_module` in \
             eventless.toml can name a private one (`_threading_helpers` in the same package)"
        ),
        "{}",
        stderr(&diff)
    );
    // A service's modules are its own: no word of public API.
    std::fs::write(
        dir.path().join("setup.cfg"),
        "[metadata]\nname = proj\n\n[entry_points]\nconsole_scripts =\n    proj-api = proj.api:main\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("proj/api.py"),
        "import eventlet\n\neventlet.monkey_patch()\n\n\ndef main():\n    pass\n",
    )
    .unwrap();
    let service = eventless(
        &["diff", "--accept", "start-order", "--no-cache"],
        dir.path(),
    );
    assert!(
        stderr(&service).contains("only tests and tools call it")
            && !stderr(&service).contains("public API"),
        "{}",
        stderr(&service)
    );
}

/// Helpers that only tests would import go beside them: into the tests'
/// own package, or into the one file that calls them.
#[test]
fn helpers_only_tests_call_go_beside_them() {
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = proj\n"),
        ("proj/__init__.py", b""),
        ("proj/tests/__init__.py", b""),
        ("proj/tests/unit/__init__.py", b""),
        ("proj/tests/unit/test_resize.py", RESIZER.as_bytes()),
        ("proj/tests/unit/net/__init__.py", b""),
        ("proj/tests/unit/net/test_ping.py", PINGER.as_bytes()),
    ]);
    let flags = SPAWNS_AT_REVIEW;
    let diff = eventless(
        &[&["diff", "--color", "never"][..], &flags].concat(),
        dir.path(),
    );
    let (out, err) = (stdout(&diff), stderr(&diff));
    assert!(
        out.contains("+++ b/proj/tests/unit/threading_helpers.py\n")
            && out.contains("+from proj.tests.unit import threading_helpers\n")
            && !out.contains("proj/threading_helpers.py"),
        "{out}"
    );
    assert!(
        err.contains(
            "helpers defined once, in ./proj/tests/unit/threading_helpers.py (a new module): \
             spawn_future (called from 2 files)\n  beside the tests that call it, not in a new \
             ./proj/threading_helpers.py that only they would import\n"
        ) && !err.contains("only tests and tools call it")
            && !err.contains("public API"),
        "{err}"
    );
    // While the package's own code keeps a use whose rewrite may call a
    // helper, a later run would define it there again: it goes there now.
    let api = "import eventlet\n\n\ndef ping(host):\n    return eventlet.spawn(host.ping).wait()  # eventless: ignore\n";
    std::fs::write(dir.path().join("proj/api.py"), api).unwrap();
    let kept = eventless(&[&["diff"][..], &flags].concat(), dir.path());
    assert!(
        stderr(&kept).contains(
            "helpers defined once, in ./proj/threading_helpers.py (a new module): spawn_future \
             (called from 2 files)\n  only tests and tools call it, not the package it joins (it \
             stays: ./proj/api.py:5, a use left now whose rewrite may call one of its helpers, \
             would need them too)"
        ),
        "{}",
        stderr(&kept)
    );
    std::fs::remove_file(dir.path().join("proj/api.py")).unwrap();
    // The commit defines them where the diff does.
    let apply = eventless(&[&["apply"][..], &flags].concat(), dir.path());
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(
        dir.path()
            .join("proj/tests/unit/threading_helpers.py")
            .is_file()
    );
    assert!(!dir.path().join("proj/threading_helpers.py").exists());

    // One test file: it defines the helper itself.
    let one = tree(&[
        ("setup.cfg", b"[metadata]\nname = proj\n"),
        ("proj/__init__.py", b""),
        ("proj/tests/__init__.py", b""),
        ("proj/tests/test_resize.py", RESIZER.as_bytes()),
    ]);
    let diff = eventless(
        &[&["diff", "--color", "never"][..], &flags].concat(),
        one.path(),
    );
    assert_helper_in_its_caller(&diff);
}

/// A helper only one file calls is defined in that file, as a maintainer
/// would write it, unless a use left elsewhere may need the same helper
/// later: then it goes in the module, where that later rewrite finds it.
#[test]
fn a_helper_one_file_calls_is_defined_in_it() {
    let flags = SPAWNS_AT_REVIEW;
    let closer = "import eventlet\n\n\ndef close(sock):\n    eventlet.greenio.shutdown_safe(sock)  # eventless: ignore\n";
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = proj\n"),
        ("proj/__init__.py", b""),
        ("proj/resize.py", RESIZER.as_bytes()),
        // A use left whose rewrite would call another helper.
        ("proj/close.py", closer.as_bytes()),
    ]);
    let diff = eventless(
        &[&["diff", "--color", "never"][..], &flags].concat(),
        dir.path(),
    );
    assert_helper_in_its_caller(&diff);
    let apply = eventless(&[&["apply"][..], &flags].concat(), dir.path());
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(!dir.path().join("proj/threading_helpers.py").exists());
    let again = eventless(
        &[&["diff", "--color", "never"][..], &flags].concat(),
        dir.path(),
    );
    assert_eq!(stdout(&again), "", "{}", stderr(&again));

    // A use left elsewhere whose rewrite may call the same helper: a later
    // run would define it in the module, so it goes there now.
    let pinger = PINGER.replace(".wait()\n", ".wait()  # eventless: ignore\n");
    let kept = tree(&[
        ("setup.cfg", b"[metadata]\nname = proj\n"),
        ("proj/__init__.py", b""),
        ("proj/resize.py", RESIZER.as_bytes()),
        ("proj/ping.py", pinger.as_bytes()),
    ]);
    let diff = eventless(&[&["diff"][..], &flags].concat(), kept.path());
    assert!(
        stderr(&diff).contains(
            "helpers defined once, in ./proj/threading_helpers.py (a new module): spawn_future \
             (called from 1 file)\n  a module for one file, not helpers in it: ./proj/ping.py:6, \
             a use left now whose rewrite may call one of its helpers, would need them too\n"
        ),
        "{}",
        stderr(&diff)
    );

    // A file whose `socket` is eventlet's: defined there, the helper would
    // import the stdlib's under an alias.
    let green = "import eventlet\nfrom eventlet.green import socket  # eventless: ignore\n\n\ndef close(sock):\n    eventlet.greenio.shutdown_safe(sock)\n    return socket.AF_INET\n";
    let aliased = tree(&[
        ("setup.cfg", b"[metadata]\nname = proj\n"),
        ("proj/__init__.py", b""),
        ("proj/close.py", green.as_bytes()),
    ]);
    let diff = eventless(
        &[&["diff", "--color", "never"][..], &flags].concat(),
        aliased.path(),
    );
    assert!(
        stdout(&diff).contains("+    threading_helpers.shutdown_safe(sock)\n")
            && !stdout(&diff).contains("import socket as"),
        "{}",
        stdout(&diff)
    );
    assert!(
        stderr(&diff).contains(
            "  a module for one file, not helpers in it: ./proj/close.py, the one file that \
             calls them, binds a name their code uses to another module, which they would \
             import under an alias\n"
        ),
        "{}",
        stderr(&diff)
    );
}

/// Where a project has a top-level package, a helper is defined once, in a
/// new module of it, and every file that calls it imports it.
#[test]
fn helpers_are_defined_once_in_a_shared_module() {
    let dir = helper_project(&[]);
    let d = dir.path();
    let flags = [
        "--assume-monkey-patched",
        "--accept",
        "start-order",
        "--no-cache",
        "--color",
        "never",
    ];
    let diff = eventless(&[&["diff"][..], &flags].concat(), d);
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
    assert!(
        stdout(&diff).contains("--- /dev/null\n+++ b/proj/threading_helpers.py\n@@ -0,0 +1,"),
        "{}",
        stdout(&diff)
    );
    assert!(
        stderr(&diff).contains(
            "helpers defined once, in ./proj/threading_helpers.py (a new module): spawn_future \
             (called from 2 files)"
        ),
        "{}",
        stderr(&diff)
    );
    assert!(
        !stderr(&diff).contains("only tests and tools call it"),
        "{}",
        stderr(&diff)
    );
    assert!(
        !d.join("proj/threading_helpers.py").exists(),
        "diff writes nothing"
    );

    let apply = eventless(
        &[
            "apply",
            "--assume-monkey-patched",
            "--accept",
            "start-order",
            "--no-cache",
        ],
        d,
    );
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(
        stdout(&apply).contains("proj/threading_helpers.py: created, defines spawn_future"),
        "{}",
        stdout(&apply)
    );
    let files = python_files(d);
    let defining: Vec<_> = files
        .iter()
        .filter(|(_, text)| {
            text.contains("def spawn_future(") || text.contains("def _spawn_future(")
        })
        .map(|(path, _)| path.strip_prefix(d).unwrap().to_owned())
        .collect();
    assert_eq!(defining, [Path::new("proj/threading_helpers.py")]);
    for (path, text) in &files {
        let tree = eventless::python::parse::parse(text);
        assert_eq!(
            eventless::python::parse::first_syntax_error(&tree),
            None,
            "{} must parse:\n{text}",
            path.display()
        );
    }
    let module = std::fs::read_to_string(d.join("proj/threading_helpers.py")).unwrap();
    assert!(
        module.starts_with(&format!(
            "{LICENSE}\n\"\"\"Helpers shared by this project's modules."
        )),
        "the neighbours' license header, without their copyright line:\n{module}"
    );
    let resize = std::fs::read_to_string(d.join("proj/resize.py")).unwrap();
    assert_eq!(
        resize,
        "from proj import threading_helpers\n\n\ndef resize_all(instances, size):\n    \
         first = threading_helpers.spawn_future(instances[0].resize, size)\n    \
         return first.result()\n"
    );
    let ping = std::fs::read_to_string(d.join("proj/net/ping.py")).unwrap();
    assert!(
        ping.contains("from proj import threading_helpers\n")
            && ping.contains("return threading_helpers.spawn_future(host.ping).result()\n"),
        "{ping}"
    );

    let again = eventless(
        &[
            "apply",
            "--assume-monkey-patched",
            "--accept",
            "start-order",
            "--no-cache",
        ],
        d,
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stdout(&again).is_empty(), "{}", stdout(&again));
    assert_eq!(python_files(d), files, "a second run changes nothing");
}

/// A run on part of the project does not add to a helpers module outside
/// its paths: the uses that need it stay, and say why.
#[test]
fn a_helpers_module_outside_the_paths_is_not_written() {
    let dir = helper_project(&[]);
    let d = dir.path();
    let out = eventless(
        &[
            "apply",
            "--assume-monkey-patched",
            "--accept",
            "start-order",
            "--no-cache",
            "proj/net",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!d.join("proj/threading_helpers.py").exists());
    assert_eq!(
        std::fs::read_to_string(d.join("proj/net/ping.py")).unwrap(),
        PINGER
    );
    let scan = stdout(&eventless(
        &[
            "scan",
            "--assume-monkey-patched",
            "--accept",
            "start-order",
            "--no-cache",
            "proj/net",
        ],
        d,
    ));
    assert!(
        scan.contains(
            "the helper 'spawn_future' goes in ./proj/threading_helpers.py, the project's \
             helpers module, which is outside the paths given: add it to them"
        ),
        "{scan}"
    );
}

/// `helpers_module` names the module: an existing one keeps its code and
/// gets the helper; a file that defines the helper itself (an earlier
/// run's way) keeps using its own.
#[test]
fn the_configured_helpers_module_is_extended() {
    let utils = "import os\n\n\ndef pid():\n    return os.getpid()\n";
    let dir = helper_project(&[
        ("proj/old.py", earlier_run().as_bytes()),
        (
            "eventless.toml",
            b"[options]\nhelpers_module = \"proj.common.utils\"\n",
        ),
        ("proj/common/__init__.py", b""),
        ("proj/common/utils.py", utils.as_bytes()),
    ]);
    let d = dir.path();
    let out = eventless(
        &[
            "apply",
            "--assume-monkey-patched",
            "--accept",
            "start-order,resolver",
            "--no-cache",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!d.join("proj/threading_helpers.py").exists());
    let module = std::fs::read_to_string(d.join("proj/common/utils.py")).unwrap();
    assert!(
        module.starts_with(
            "import concurrent.futures\nimport os\nimport threading\n\n\ndef spawn_future("
        ) && module.ends_with("    return future\n\n\ndef pid():\n    return os.getpid()\n"),
        "{module}"
    );
    let ping = std::fs::read_to_string(d.join("proj/net/ping.py")).unwrap();
    assert!(
        ping.contains("from proj.common import utils\n")
            && ping.contains("return utils.spawn_future(host.ping).result()\n"),
        "{ping}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("proj/old.py")).unwrap(),
        earlier_run_rewritten()
    );
}

/// The helper an earlier run defined in a file.
const PASTED_SPAWN_FUTURE: &str = r#"def _spawn_future(func, *args, **kwargs):
    """Call func(*args, **kwargs) in a new thread.

    The Future returned gives the call's value, or raises its exception;
    an exception is also printed, as the thread ends with it.
    """
    future = concurrent.futures.Future()

    def run():
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(func(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
            raise

    threading.Thread(target=run, daemon=True).start()
    return future
"#;

/// A file with the helper an earlier run defined in it, and what it
/// becomes (as spawn.toml's example shows).
fn earlier_run() -> String {
    format!(
        "import concurrent.futures\nimport threading\n\nimport eventlet\n\neventlet.monkey_patch()\n\n\n\
         {PASTED_SPAWN_FUTURE}\n\ndef ping(host):\n    return eventlet.spawn(host.ping).wait()\n"
    )
}

fn earlier_run_rewritten() -> String {
    format!(
        "import concurrent.futures\nimport threading\n\n\n{PASTED_SPAWN_FUTURE}\n\n\
         def ping(host):\n    return _spawn_future(host.ping).result()\n"
    )
}

/// Without a single top-level package, each file that calls a helper
/// defines it, and the summary says how to share it.
#[test]
fn without_a_package_each_file_defines_its_helpers_and_is_told_so() {
    let dir = tree(&[
        ("resize.py", RESIZER.as_bytes()),
        ("ping.py", PINGER.as_bytes()),
    ]);
    let out = eventless(
        &[
            "apply",
            "--assume-monkey-patched",
            "--accept",
            "start-order",
            "--no-cache",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for name in ["resize.py", "ping.py"] {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(text.contains("def _spawn_future("), "{text}");
    }
    assert!(
        stderr(&out).contains("warning: helper _spawn_future is defined in each of 2 files")
            && stderr(&out).contains("name a module with helpers_module in eventless.toml"),
        "{}",
        stderr(&out)
    );
}

/// `apply --interactive` does not ask about the helpers module: it is
/// written when a file that calls it is.
#[test]
fn interactive_apply_writes_the_helpers_module_with_its_callers() {
    let config = b"[options]\nassume_monkey_patched = true\naccept = [\"start-order\"]\n";
    let dir = helper_project(&[("eventless.toml", config)]);
    let d = dir.path();
    let module = d.join("proj/threading_helpers.py");
    // Asked in path order: proj/net/ping.py, then proj/resize.py.
    let out = apply_interactively(d, "n\nn\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!module.exists());
    let out = apply_interactively(d, "n\ny\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(module.exists());
    assert_eq!(
        std::fs::read_to_string(d.join("proj/net/ping.py")).unwrap(),
        PINGER
    );
    assert!(
        std::fs::read_to_string(d.join("proj/resize.py"))
            .unwrap()
            .contains("threading_helpers.spawn_future(")
    );
}

/// A use that holds only with a difference of the program that runs it
/// says which program and which call, and what accepting it does.
#[test]
fn a_difference_of_the_program_is_named_with_the_run_that_shows_it() {
    let main = b"import sys\n\nimport eventlet\n\nif '--debug' in sys.argv:\n    eventlet.monkey_patch(time=False)\nelse:\n    eventlet.monkey_patch()\n\n\ndef nap():\n    eventlet.sleep(1)\n\n\neventlet.spawn_n(nap)\n";
    let dir = tree(&[("main.py", main)]);
    let scan = stdout(&eventless(&["scan", "--no-cache"], dir.path()));
    assert!(
        scan.contains("named differences (unpatched-runs: green threads or hub timers run in")
            && scan.contains("leaves 'time' alone")
            && scan.contains("--accept unpatched-runs or --review applies it"),
        "{scan}"
    );
    let diff = eventless(
        &["diff", "--no-cache", "--accept", "unpatched-runs"],
        dir.path(),
    );
    assert!(
        stdout(&diff).contains("+    time.sleep(1)"),
        "{}",
        stdout(&diff)
    );
    assert!(
        stderr(&diff).contains("1 with unpatched-runs"),
        "{}",
        stderr(&diff)
    );
}

/// In the runs that leave threads unpatched, a thread started in place of
/// a green one is an OS thread, where the eventlet primitives its function
/// uses do not work: a thread starter takes a difference of its own, not
/// the one that a blocking call does.
#[test]
fn a_thread_starter_takes_its_own_difference_for_runs_that_leave_threads_unpatched() {
    let main = b"import sys\n\nimport eventlet\n\nif '--debug' in sys.argv:\n    \
                 eventlet.monkey_patch(thread=False)\nelse:\n    eventlet.monkey_patch()\n\n\n\
                 def nap():\n    eventlet.sleep(1)\n\n\neventlet.spawn_n(nap)\n";
    let dir = tree(&[("main.py", main), ("keep.py", HELD_BY_A_PERSON)]);
    let scan = stdout(&eventless(&["scan", "--no-cache", "--review"], dir.path()));
    let spawn = line_with(&scan, "./main.py:15:");
    assert!(
        spawn.contains("review: start-order, unpatched-threads")
            && spawn.contains("would be an OS thread"),
        "{spawn}"
    );
    // Accepting the blocking call's difference is not enough.
    let scan = stdout(&eventless(
        &[
            "scan",
            "--no-cache",
            "--accept",
            "start-order,unpatched-runs",
        ],
        dir.path(),
    ));
    let spawn = line_with(&scan, "./main.py:15:");
    assert!(spawn.contains("manual"), "{spawn}");
}

/// nova patches in a function its module calls unless an environment
/// variable says not to: the runs that set it leave time unpatched, so a
/// sleep the service's green threads share takes unpatched-runs.
#[test]
fn a_patch_function_called_under_a_condition_patches_in_some_runs() {
    let patch = b"import os\n\n\ndef _monkey_patch():\n    import eventlet\n    eventlet.monkey_patch()\n\n\n\
                  if os.environ.get('OS_PKG_DISABLE_EVENTLET_PATCHING', '') not in ('1', 'yes'):\n    \
                  _monkey_patch()\n";
    let cmd = b"import eventlet\n\n\ndef work():\n    eventlet.sleep(1)\n\n\ndef main():\n    \
                eventlet.spawn(work).wait()\n";
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = pkg\n\n[entry_points]\nconsole_scripts =\n    pkg-svc = pkg.cmd:main\n"),
        ("pkg/__init__.py", b"from pkg import monkey_patch  # noqa\n"),
        ("pkg/monkey_patch.py", patch),
        ("pkg/cmd.py", cmd),
    ]);
    let scan = stdout(&eventless(&["scan", "--no-cache", "--review"], dir.path()));
    let sleep = line_with(&scan, "./pkg/cmd.py:5:");
    assert!(
        sleep.contains("review: unpatched-runs") && sleep.contains("only in some runs"),
        "{sleep}"
    );
}

/// Where the file keeps an eventlet Event, Semaphore or Queue, the thread
/// may wait for it: the difference would be in plain sight, so the spawn
/// stays. A thread-local is rewritten at the review level only, with the
/// difference of those runs, where every green thread shares it.
#[test]
fn unpatched_runs_keep_spawns_beside_eventlet_primitives_and_name_thread_locals() {
    let main = b"import sys\n\nimport eventlet\nfrom eventlet import corolocal\nfrom eventlet import event\n\n\
                 if '--debug' in sys.argv:\n    eventlet.monkey_patch(thread=False)\nelse:\n    \
                 eventlet.monkey_patch()\n\nready = event.Event()  # eventless: ignore\n\
                 store = corolocal.local()\n\n\ndef work():\n    ready.wait()\n\n\n\
                 eventlet.spawn_n(work)\nready.send()\n";
    let dir = tree(&[("main.py", main), ("keep.py", HELD_BY_A_PERSON)]);
    let scan = stdout(&eventless(&["scan", "--no-cache", "--review"], dir.path()));
    let spawn = line_with(&scan, "./main.py:20:");
    assert!(
        spawn.contains("manual")
            && spawn.contains("this file keeps eventlet.event.Event (line 12)"),
        "{spawn}"
    );
    let local = line_with(&scan, "./main.py:13:");
    assert!(
        local.contains("rewrite by corolocal (review: unpatched-locals;")
            && local.contains("thread-local state would be the OS thread's"),
        "{local}"
    );
    let exact = stdout(&eventless(&["scan", "--no-cache"], dir.path()));
    let local = line_with(&exact, "./main.py:13:");
    assert!(
        local.contains("manual") && local.contains("--accept unpatched-locals or --review"),
        "{local}"
    );
}

/// A mock held in one test run holds the same mock in another run that
/// reaches the same code: test_b's mock must keep catching the sleeps of
/// oslo.vmware (nova's vmware tests), so driver.py's sleep stays, and
/// test_a's mock of it stays with it (nova's libvirt tests).
#[test]
fn a_use_held_by_one_tests_mock_holds_the_mocks_of_the_others() {
    let driver = b"import eventlet\n\n\ndef retry():\n    eventlet.sleep(1)\n";
    let test_a = b"from unittest import mock\n\nfrom pkg import driver\n\n\n@mock.patch('eventlet.sleep')\ndef test_retry(sleep):\n    driver.retry()\n    assert sleep.call_count == 1\n";
    let test_b = b"from unittest import mock\n\nfrom oslo_vmware import api\n\nfrom pkg import driver\n\n\n@mock.patch('eventlet.sleep')\ndef test_both(sleep):\n    driver.retry()\n    api.VMwareAPISession('host')\n";
    let dir = tree(&[
        ("pkg/__init__.py", b""),
        ("pkg/driver.py", driver),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_a.py", test_a),
        ("pkg/tests/test_b.py", test_b),
    ]);
    let out = eventless(&["apply", "--review", "--no-cache"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("pkg/driver.py").as_bytes(), driver);
    assert_eq!(read("pkg/tests/test_a.py").as_bytes(), test_a);
    let scan = stdout(&eventless(&["scan", "--review", "--no-cache"], dir.path()));
    let finding = |site: &str| line_with(&scan, site).to_owned();
    // test_a's mock points at the code that stays, whose finding names the
    // root: test_b's mock, which oslo.vmware's sleeps hold.
    let mock_a = finding("test_a.py:6:14: eventlet.greenthread.sleep [sleep] manual");
    assert!(
        mock_a.contains(
            "the one use in code it reaches is not rewritten (first held at \
             ./pkg/driver.py:5, whose finding says why)"
        ),
        "{mock_a}"
    );
    let code = finding("driver.py:5:5: eventlet.greenthread.sleep [sleep] manual");
    assert!(
        code.contains("where an installed library calls it too (oslo_vmware"),
        "{code}"
    );
}

/// A test base class's own patcher (nova's `stub_out`, which hands its
/// argument to `fixtures.MonkeyPatch`) is a mock like `mock.patch`: the
/// sleep it stubs stays with it at the default level, and with `--review`
/// the stub follows the sleep to `time.sleep`.
#[test]
fn a_project_s_own_patcher_holds_what_it_stubs() {
    let dir = tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/worker.py", LOOP.as_bytes()),
        (
            "pkg/test.py",
            b"import fixtures\nimport testtools\n\n\nclass TestCase(testtools.TestCase):\n    def stub_out(self, old, new):\n        self.useFixture(fixtures.MonkeyPatch(old, new))\n",
        ),
        ("pkg/tests/__init__.py", b""),
        (
            "pkg/tests/test_worker.py",
            b"from pkg import test\nfrom pkg import worker\n\n\nclass TestWorker(test.TestCase):\n    def test_loop(self):\n        self.stub_out('eventlet.sleep', lambda *a: None)\n        worker.loop()\n",
        ),
    ]);
    let exact = eventless(&["diff", ".", "--color", "never"], dir.path());
    assert_eq!(exact.status.code(), Some(0), "{}", stderr(&exact));
    assert_eq!(stdout(&exact), "");
    let why = eventless(&["scan", "pkg/worker.py"], dir.path());
    assert!(
        stdout(&why).contains("the test module pkg/tests/test_worker.py run alone mocks"),
        "{}",
        stdout(&why)
    );
    let review = eventless(&["diff", ".", "--review", "--color", "never"], dir.path());
    let diff = stdout(&review);
    assert!(
        diff.contains("+        self.stub_out('time.sleep', lambda *a: None)\n")
            && diff.contains("+    time.sleep(1)\n"),
        "{diff}"
    );
}

/// A review-level rewrite says where a difference that comes from the
/// programs shows: the command that never patches, and where the green
/// threads it imports start.
#[test]
fn a_program_s_difference_names_the_program_where_it_shows() {
    let dir = tree(&[
        ("eventless.toml", b""),
        (
            "main.py",
            b"import naps\nimport workers\n\nif __name__ == '__main__':\n    workers.start(print).wait()\n    naps.nap()\n",
        ),
        ("naps.py", b"import eventlet\n\n\ndef nap():\n    eventlet.sleep(0.05)\n"),
        (
            "workers.py",
            b"import eventlet\n\n\ndef start(function):\n    return eventlet.spawn(function)\n",
        ),
    ]);
    let json = eventless(&["scan", ".", "--review", "--format", "json"], dir.path());
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let nap = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().ends_with("naps.py"))
        .flat_map(|f| f["findings"].as_array().unwrap().clone())
        .find(|f| f["action"] == "rewrite")
        .expect("the nap is rewritten with --review");
    let shows = nap["conditions"]["unpatched-program"]
        .as_str()
        .unwrap_or("");
    assert!(
        shows.contains("main.py") && shows.contains("workers.py:5"),
        "{nap:#}"
    );
    let text = stdout(&eventless(&["scan", "naps.py", "--review"], dir.path()));
    assert!(
        text.contains("(review: unpatched-program; unpatched-program where green threads"),
        "{text}"
    );
}

/// `import eventlet.greenio` leaves with the last use through
/// `eventlet.greenio`, while `import eventlet` stays for the uses left,
/// and so does an `import eventlet.tpool` never used (imported for what
/// importing it does, as cinder's volume command does).
#[test]
fn a_submodule_import_leaves_with_its_last_use() {
    let dir = tree(&[
        ("eventless.toml", b""),
        (
            "pkg/server.py",
            b"import eventlet\nimport eventlet.greenio\nimport eventlet.queue\nimport eventlet.tpool\n\n\n\
              def close(sock):\n    eventlet.greenio.shutdown_safe(sock)\n    \
              return eventlet.queue.Queue()\n\n\ndef run():\n    eventlet.spawn(close, None)\n",
        ),
    ]);
    let out = eventless(&["diff", ".", "--color", "never"], dir.path());
    let diff = stdout(&out);
    assert!(
        diff.contains("-import eventlet.greenio\n")
            && diff.contains(" import eventlet\n")
            && diff.contains(" import eventlet.queue\n")
            && diff.contains(" import eventlet.tpool\n"),
        "{diff}"
    );
    // Without `import eventlet`, another submodule import still in use
    // binds the name (glance's wsgi.py).
    let server = std::fs::read_to_string(dir.path().join("pkg/server.py")).unwrap();
    std::fs::write(
        dir.path().join("pkg/server.py"),
        server
            .replace("import eventlet\n", "")
            .replace("eventlet.spawn(close, None)", "return eventlet.queue.Queue"),
    )
    .unwrap();
    let diff = stdout(&eventless(&["diff", ".", "--color", "never"], dir.path()));
    assert!(
        diff.contains("-import eventlet.greenio\n") && diff.contains(" import eventlet.queue\n"),
        "{diff}"
    );
}

/// A mock of eventlet's sleep made in a test base class's setUp stays,
/// its line says why and what to do, and the sleep it covers stays with
/// it; the same mock made in a test module follows the code.
#[test]
fn a_sleep_mock_in_shared_set_up_code_stays_and_says_why() {
    let code = b"import eventlet\n\n\ndef nap():\n    eventlet.sleep(1)\n";
    let base = b"from unittest import mock\n\nimport testtools\n\n\n\
                 class TestCase(testtools.TestCase):\n    def setUp(self):\n        \
                 super().setUp()\n        self.useFixture(mock.patch('eventlet.sleep'))\n";
    let test = b"from pkg import naps\nfrom pkg.tests import base\n\n\n\
                 class NapTest(base.TestCase):\n    def test_nap(self):\n        naps.nap()\n";
    let dir = tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/naps.py", code),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/base.py", base),
        ("pkg/tests/test_naps.py", test),
        (
            "pkg/drive.py",
            b"import eventlet\n\n\ndef drive():\n    eventlet.sleep(2)\n",
        ),
        (
            "pkg/tests/test_drive.py",
            b"from unittest import mock\n\nfrom pkg import drive\nfrom pkg import naps\n\n\n\
              @mock.patch('eventlet.sleep')\ndef test_drive(sleep):\n    drive.drive()\n    \
              naps.nap()\n",
        ),
    ]);
    let text = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
    let mock_line = line_with(&text, "./pkg/tests/base.py:9:");
    assert!(
        mock_line.contains("shared set-up code")
            && mock_line.contains("Patch only what the test needs"),
        "{mock_line}"
    );
    let nap_line = line_with(&text, "./pkg/naps.py:5:");
    assert!(nap_line.contains("manual"), "{nap_line}");
    // A test that mocks that sleep and another one is held in turn, and
    // its code's reason names the sleep first held, not itself.
    let drive_line = line_with(&text, "./pkg/drive.py:5:");
    assert!(
        drive_line.contains("first held at ./pkg/naps.py:5, whose finding says why"),
        "{drive_line}"
    );

    // Made in the test module itself, the mock follows the code.
    let dir = tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/naps.py", code),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_naps.py", NAP_TEST_MOCKING_SLEEP),
    ]);
    assert_the_sleep_mock_follows_its_code(dir.path());
}

/// A test module whose set-up mocks eventlet's sleep for `pkg.naps.nap`.
const NAP_TEST_MOCKING_SLEEP: &[u8] =
    b"from unittest import mock\n\nimport testtools\n\nfrom pkg import naps\n\n\n\
      class NapTest(testtools.TestCase):\n    def setUp(self):\n        \
      super().setUp()\n        self.useFixture(mock.patch('eventlet.sleep'))\n\n    \
      def test_nap(self):\n        naps.nap()\n";

/// With `--review`, the mock of NAP_TEST_MOCKING_SLEEP moves to time.sleep
/// with the sleep it covers.
fn assert_the_sleep_mock_follows_its_code(dir: &Path) {
    let diff = stdout(&eventless(
        &["diff", ".", "--review", "--color", "never"],
        dir,
    ));
    assert!(
        diff.contains("+        self.useFixture(mock.patch('time.sleep'))")
            && diff.contains("+    time.sleep(1)"),
        "{diff}"
    );
}

/// All test modules of a project run in one process, where an RPC server
/// one test starts and leaves running goes on polling with time.sleep: a
/// test module's mock of eventlet's sleep does not become a mock of
/// time.sleep there, and the sleep it covers stays with it. Where no test
/// starts a server, the same mock follows the code. The finding names a
/// narrower mock a person can write instead.
#[test]
fn a_sleep_mock_stays_where_the_test_run_starts_rpc_servers() {
    let naps = b"import eventlet\n\n\ndef nap():\n    eventlet.sleep(1)\n";
    let rpc = b"import oslo_messaging as messaging\n\n\n\
                def get_server(transport, target, endpoints):\n    \
                return messaging.get_rpc_server(transport, target, endpoints,\n\
                                    executor='eventlet')\n";
    let tree_with = |server_test: Option<&'static [u8]>| {
        let mut files: Vec<(&str, &[u8])> = vec![
            ("eventless.toml", b""),
            ("pkg/__init__.py", b""),
            ("pkg/naps.py", naps),
            ("pkg/rpc.py", rpc),
            ("pkg/tests/__init__.py", b""),
            ("pkg/tests/test_naps.py", NAP_TEST_MOCKING_SLEEP),
            // Green threads stay: no switch to native threads settles it.
            ("pkg/debugging.py", HELD_BY_A_PERSON),
        ];
        files.extend(server_test.map(|t| ("pkg/tests/test_rpc.py", t)));
        tree(&files)
    };
    // Importing the module that starts servers is enough: its functions
    // may run in any test of the process.
    let serving = tree_with(Some(
        b"from pkg import rpc\n\n\ndef test_rpc():\n    assert rpc.get_server\n",
    ));
    // The patch.object form of such a mock stays too.
    std::fs::write(
        serving.path().join("pkg/tests/test_nap_object.py"),
        "from unittest import mock\n\nimport eventlet\n\nfrom pkg import naps\n\n\n\
         @mock.patch.object(eventlet, 'sleep')\ndef test_nap(sleep):\n    naps.nap()\n",
    )
    .unwrap();
    let text = stdout(&eventless(&["scan", ".", "--review"], serving.path()));
    for mock in [
        "./pkg/tests/test_naps.py:11:",
        "./pkg/tests/test_nap_object.py:8:",
    ] {
        let mock_line = line_with(&text, mock);
        assert!(
            mock_line.contains("[sleep] manual")
                && mock_line.contains(
                    "the project's test run starts threads that call time.sleep until they \
                     are stopped (an oslo.messaging server at ./pkg/rpc.py:5, in a module a \
                     test imports)"
                )
                // What to write instead: a mock that leaves time.sleep alone.
                && mock_line.contains(
                    "`mock.patch.object(module_under_test, 'time', wraps=time, \
                     sleep=mock.Mock())`"
                ),
            "{mock_line}"
        );
    }
    assert!(
        line_with(&text, "./pkg/naps.py:5:").contains("[sleep] manual"),
        "{text}"
    );
    // The executor becomes 'threading', whose listener polls the same way:
    // a second run still leaves the mock.
    let out = eventless(&["apply", ".", "--review"], serving.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rpc_after = std::fs::read_to_string(serving.path().join("pkg/rpc.py")).unwrap();
    assert!(rpc_after.contains("executor='threading'"), "{rpc_after}");
    let again = stdout(&eventless(
        &["diff", ".", "--review", "--color", "never"],
        serving.path(),
    ));
    assert!(again.is_empty(), "{again}");

    assert_the_sleep_mock_follows_its_code(tree_with(None).path());
}

/// A test that mocks eventlet.spawn_n keeps a GreenPool's tasks from
/// running too (the pool starts them with it): the pool it reaches stays,
/// for an executor's tasks would run. Without the mock, it moves.
#[test]
fn a_pool_stays_where_a_test_mocks_the_spawn_it_calls() {
    let workers = b"import eventlet\n\neventlet.monkey_patch()\n\n\n\
                    def start(task):\n    pool = eventlet.GreenPool(2)\n    \
                    for _ in range(2):\n        pool.spawn_n(task)\n    pool.waitall()\n";
    let tree_with = |set_up: &str| {
        let test = format!(
            "import unittest\nfrom unittest import mock\n\nfrom pkg import workers\n\n\n\
             class TestWorkers(unittest.TestCase):\n    def setUp(self):\n        \
             super().setUp()\n{set_up}\n    def test_start(self):\n        \
             workers.start(print)\n"
        );
        let files: Vec<(&str, &[u8])> = vec![
            ("pkg/__init__.py", b""),
            ("pkg/workers.py", workers),
            ("pkg/tests/__init__.py", b""),
            ("pkg/tests/test_workers.py", test.as_bytes()),
            ("pkg/debugging.py", HELD_BY_A_PERSON),
        ];
        let dir = tree(&files);
        let scan = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
        let out = eventless(&["apply", ".", "--review"], dir.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let after = std::fs::read_to_string(dir.path().join("pkg/workers.py")).unwrap();
        (after, scan)
    };
    let (mocked, scan) = tree_with("        mock.patch('eventlet.spawn_n').start()\n");
    assert!(mocked.contains("eventlet.GreenPool(2)"), "{mocked}");
    assert!(
        line_with(&scan, "./pkg/workers.py:7:").contains(
            "mocks eventlet.greenthread.spawn_n, which eventlet.greenpool.GreenPool calls itself"
        ),
        "{scan}"
    );
    let (unmocked, _) = tree_with("");
    assert!(
        unmocked.contains("ThreadPoolExecutor(max_workers=2)"),
        "{unmocked}"
    );
}

#[test]
fn a_test_s_mock_is_held_only_by_code_the_test_may_call() {
    let sleeper =
        |name: &str| format!("import eventlet\n\n\ndef {name}():\n    eventlet.sleep(1)\n");
    let dir = tree(&[
        ("eventless.toml", b"" as &[u8]),
        ("pkg/__init__.py", b""),
        ("pkg/used.py", sleeper("settle").as_bytes()),
        ("pkg/unused.py", sleeper("drain").as_bytes()),
        ("pkg/tests/__init__.py", b""),
        // Shared set-up code whose mock a test reads holds the sleep it
        // covers.
        (
            "pkg/tests/base.py",
            b"from unittest import mock\n\n\ndef quietly(function):\n    \
              with mock.patch('eventlet.sleep') as sleep:\n        function()\n    \
              return sleep.call_count\n",
        ),
        (
            "pkg/tests/test_unused.py",
            b"from pkg import unused\nfrom pkg.tests import base\n\n\n\
              def test_drain():\n    assert base.quietly(unused.drain) == 1\n",
        ),
        // This test imports that module but never calls it: its mock moves
        // with the code it calls.
        (
            "pkg/tests/test_used.py",
            b"from unittest import mock\n\nfrom pkg import unused  # noqa\nfrom pkg import used\n\n\n\
              @mock.patch('eventlet.sleep')\ndef test_settle(sleep):\n    used.settle()\n    \
              sleep.assert_called_once_with(1)\n",
        ),
    ]);
    let diff = stdout(&eventless(
        &["diff", ".", "--review", "--color", "never"],
        dir.path(),
    ));
    assert!(
        diff.contains("+    time.sleep(1)")
            && diff.contains("+@mock.patch('time.sleep')")
            && !diff.contains("unused.py"),
        "{diff}"
    );
}

#[test]
fn a_file_parsed_on_the_first_read_is_rewritten_whatever_its_bom_and_line_endings() {
    // Declaring an option, each file is parsed on the first read and its
    // tree handed on: a byte order mark must not shift the edits.
    let body = "from oslo_config import cfg\nimport eventlet\n\nopts = [cfg.IntOpt('x', min=0)]\n\n\n\
                def f():\n    eventlet.sleep(1)\n    eventlet.sleep(2)\n";
    let bom = [b"\xEF\xBB\xBF".as_slice(), body.as_bytes()].concat();
    let crlf = body.replace('\n', "\r\n");
    let dir = tree(&[("bom.py", bom.as_slice()), ("crlf.py", crlf.as_bytes())]);
    let out = eventless(&["apply", "."], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let bom_after = std::fs::read(dir.path().join("bom.py")).unwrap();
    assert!(bom_after.starts_with(b"\xEF\xBB\xBF"));
    let bom_after = String::from_utf8(bom_after[3..].to_vec()).unwrap();
    let crlf_after = std::fs::read_to_string(dir.path().join("crlf.py")).unwrap();
    for (text, newline) in [(bom_after, "\n"), (crlf_after, "\r\n")] {
        let expected =
            format!("def f():{newline}    time.sleep(1){newline}    time.sleep(2){newline}");
        assert!(text.contains(&expected), "{text:?}");
    }
}

/// A script that monkey-patches, then runs `pkg/work.py`'s `main()`.
const PATCHED_SCRIPT: &[u8] = b"import eventlet\n\nfrom pkg import work\n\n\n\
    if __name__ == '__main__':\n    eventlet.monkey_patch()\n    work.main()\n";

/// A project of [`PATCHED_SCRIPT`] and the module `work` it runs.
fn patched_script_running(work: &[u8]) -> tempfile::TempDir {
    tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/cmd.py", PATCHED_SCRIPT),
        ("pkg/work.py", work),
    ])
}

#[test]
fn a_pool_s_finding_names_the_helper_its_rewrite_calls() {
    // The printer of a task's exception follows submit only where
    // unprinted-exception is not accepted; the JSON finding says which
    // helper the rewrite calls, and none where it calls none.
    let dir = patched_script_running(
        b"import eventlet\n\n\ndef read(path):\n    with open(path) as f:\n        \
          print(f.read())\n\n\ndef main():\n    pool = eventlet.GreenPool(4)\n    \
          for path in ['/etc/hostname']:\n        pool.spawn_n(read, path)\n    \
          pool.waitall()\n",
    );
    let pool_finding = |args: &[&str]| {
        let json: serde_json::Value =
            serde_json::from_slice(&eventless(args, dir.path()).stdout).unwrap();
        json["files"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["findings"].as_array().unwrap().clone())
            .find(|f| f["api"] == "eventlet.greenpool.GreenPool")
            .unwrap()
    };
    let printed = pool_finding(&[
        "scan",
        ".",
        "--format",
        "json",
        "--accept",
        "backpressure,start-order,reused-worker,exception-waits,resolver",
    ]);
    assert_eq!(printed["action"], "rewrite", "{printed}");
    assert_eq!(
        printed["helpers"],
        serde_json::json!(["_print_exception"]),
        "{printed}"
    );
    let bare = pool_finding(&["scan", ".", "--format", "json", "--review"]);
    assert_eq!(bare["action"], "rewrite", "{bare}");
    assert!(bare.get("helpers").is_none(), "{bare}");
}

#[test]
fn a_review_rewrite_made_by_the_switch_names_its_differences_and_the_switch() {
    // The pool becomes an executor only with monkey_patch() gone: both are
    // the switch, and the pool's line says so beside its differences.
    let dir = patched_script_running(
        b"import eventlet\n\n\ndef read(path):\n    with open(path) as f:\n        \
          print(f.read())\n\n\ndef main():\n    pool = eventlet.GreenPool(4)\n    \
          for path in ['/etc/hostname']:\n        pool.spawn_n(read, path)\n    \
          pool.waitall()\n",
    );
    let text = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
    assert!(
        line_with(&text, "./pkg/work.py:10:").contains(
            "rewrite by greenpool-executor (review, with the switch: backpressure, start-order, \
             reused-worker, exception-waits, unprinted-exception; exception-waits where it is \
             made by a with block that ends where '.waitall()' was (line 13); \
             unprinted-exception where '.spawn_n()' goes without \
             `.add_done_callback(_print_exception)`)"
        ),
        "{text}"
    );
    // Waited for in a finally, the pool's executor is always shut down.
    let guarded = patched_script_running(
        b"import eventlet\n\n\ndef read(path):\n    with open(path) as f:\n        \
          print(f.read())\n\n\ndef main():\n    pool = eventlet.GreenPool(4)\n    \
          try:\n        for path in ['/etc/hostname']:\n            pool.spawn_n(read, path)\n    \
          finally:\n        pool.waitall()\n",
    );
    let text = stdout(&eventless(&["scan", ".", "--review"], guarded.path()));
    let line = line_with(&text, "./pkg/work.py:10:");
    assert!(
        line.contains(
            "rewrite by greenpool-executor (review, with the switch: backpressure, start-order, \
             reused-worker, unprinted-exception;"
        ) && !line.contains("exception-waits"),
        "{text}"
    );
}

#[test]
fn uses_held_only_for_the_switch_are_told_apart_from_those_needing_a_person() {
    // The script patches, and the hub call keeps its threads green: the
    // tpool call and monkey_patch() go only in the switch to native
    // threads (which moves lookups to the system resolver), while the hub
    // call needs a person.
    let dir = patched_script_running(
        b"import eventlet\nfrom eventlet import tpool\n\n\ndef read(path):\n    \
          with open(path) as f:\n        return f.read()\n\n\ndef main():\n    \
          print(tpool.execute(read, '/etc/hostname'))\n    \
          eventlet.hubs.get_hub().abort()\n",
    );
    let text = stdout(&eventless(
        &["scan", ".", "--accept", "resolver"],
        dir.path(),
    ));
    assert!(
        text.contains(
            "verdict: eventlet cannot be switched off yet: 1 use needs a person; 2 more change \
             only with the switch to native threads"
        ),
        "{text}"
    );
    assert!(
        line_with(&text, "./pkg/work.py:11:").contains("manual (with the switch)")
            && line_with(&text, "./pkg/cmd.py:7:").contains("manual (with the switch)")
            && line_with(&text, "./pkg/work.py:12:").contains("] manual: "),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&eventless(
        &["scan", ".", "--accept", "resolver", "--format", "json"],
        dir.path(),
    )))
    .unwrap();
    assert_eq!(json["summary"]["with_switch"], 2);
    let marked: Vec<(u64, bool)> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .filter(|u| u["action"] == "manual")
        .map(|u| (u["line"].as_u64().unwrap(), u["with_switch"] == true))
        .collect();
    assert_eq!(marked, [(7, true), (11, true), (12, false)]);
    let markdown = stdout(&eventless(
        &["scan", ".", "--accept", "resolver", "--format", "markdown"],
        dir.path(),
    ));
    assert!(
        markdown.contains("| of which change only with the switch to native threads | 2 |"),
        "{markdown}"
    );
    // Code scanning still sees them as work to do, told apart.
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&eventless(
        &["scan", ".", "--accept", "resolver", "--format", "sarif"],
        dir.path(),
    )))
    .unwrap();
    let tpool = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "eventlet.tpool.execute")
        .unwrap();
    assert_eq!(tpool["level"], "warning");
    assert!(
        tpool["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("eventlet.tpool.execute changes only with the switch to native threads"),
        "{tpool}"
    );

    // Without the hub call nothing needs a person: the project is
    // switched, the tpool call going with monkey_patch().
    let work = std::fs::read_to_string(dir.path().join("pkg/work.py")).unwrap();
    let work = work.replace("    eventlet.hubs.get_hub().abort()\n", "");
    std::fs::write(dir.path().join("pkg/work.py"), work).unwrap();
    let text = stdout(&eventless(
        &["scan", ".", "--accept", "resolver"],
        dir.path(),
    ));
    assert!(
        line_with(&text, "./pkg/work.py:11:")
            .contains("rewrite by tpool-execute (safe, with the switch)")
            && text.contains("verdict: eventlet can be switched off once the rewrites are applied"),
        "{text}"
    );
    let out = eventless(&["apply", ".", "--accept", "resolver"], dir.path());
    assert!(
        stderr(&out).contains("whole program (remove-monkey-patch, tpool-execute)"),
        "{}",
        stderr(&out)
    );
    let work = std::fs::read_to_string(dir.path().join("pkg/work.py")).unwrap();
    let cmd = std::fs::read_to_string(dir.path().join("pkg/cmd.py")).unwrap();
    assert!(
        work.contains("    print(read('/etc/hostname'))\n") && !cmd.contains("monkey_patch"),
        "{work}{cmd}"
    );
    // Nothing is left, for a person or for the switch.
    std::fs::write(
        dir.path().join("pkg/work.py"),
        "import eventlet\n\n\ndef main():\n    eventlet.sleep(0)\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("pkg/cmd.py"), PATCHED_SCRIPT).unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&eventless(
        &["scan", ".", "--accept", "resolver", "--format", "json"],
        dir.path(),
    )))
    .unwrap();
    assert_eq!(
        (&json["summary"]["manual"], &json["summary"]["with_switch"]),
        (&serde_json::json!(0), &serde_json::json!(0)),
        "{json}"
    );
}

#[test]
fn the_requirement_waits_for_the_switch_only_through_the_project_s_own_uses() {
    let requirement_line = |files: &[(&str, &[u8])]| {
        let dir = tree(files);
        let text = stdout(&eventless(&["scan", "."], dir.path()));
        line_with(&text, "requirements.txt:1:1:").to_owned()
    };
    let own: &[(&str, &[u8])] = &[
        ("requirements.txt", b"eventlet>=0.30.1\n"),
        ("a.py", HELD_BY_A_PERSON),
    ];
    assert!(
        requirement_line(own).contains("manual (with the switch): eventlet is still imported"),
        "{}",
        requirement_line(own)
    );
    // A file that cannot be read needs a person first.
    let unreadable: &[(&str, &[u8])] = &[
        ("requirements.txt", b"eventlet>=0.30.1\n"),
        ("a.py", HELD_BY_A_PERSON),
        ("b.py", b"import eventlet\n# \xff\n"),
    ];
    let line = requirement_line(unreadable);
    assert!(
        line.contains("] manual: ") && line.contains("could not be read"),
        "{line}"
    );
}

#[test]
fn code_loaded_by_name_is_reached_by_the_programs_that_load_it() {
    // The service loads its manager from an option's default, as
    // OpenStack services do: no import names the manager's module, yet a
    // test starting the service under a mock runs the manager's sleep.
    let dir = tree(&[
        ("eventless.toml", b"" as &[u8]),
        ("pkg/__init__.py", b""),
        (
            "pkg/conf.py",
            b"from oslo_config import cfg\n\nopts = [\n    cfg.StrOpt('manager', \
              default='pkg.naps.Napper'),\n]\n",
        ),
        (
            "pkg/service.py",
            b"from oslo_utils import importutils\n\nfrom pkg import conf  # noqa\n\n\n\
              def start(name):\n    return importutils.import_object(name)\n",
        ),
        (
            "pkg/naps.py",
            b"import eventlet\n\n\nclass Napper:\n    def __init__(self):\n        \
              eventlet.sleep(1)\n",
        ),
        ("pkg/tests/__init__.py", b""),
        (
            "pkg/tests/test_service.py",
            b"from unittest import mock\n\nfrom pkg import service\n\n\n\
              def test_start():\n    with mock.patch('eventlet.sleep'):\n        \
              service.start('pkg.naps.Napper')\n",
        ),
        (
            "pkg/tests/test_naps.py",
            b"from unittest import mock\n\nfrom pkg import naps\n\n\n\
              @mock.patch('eventlet.sleep')\ndef test_nap(sleep):\n    naps.Napper()\n    \
              sleep.assert_called_once_with(1)\n",
        ),
    ]);
    let text = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
    let nap_line = line_with(&text, "./pkg/naps.py:6:");
    // Both tests' mocks are test modules' own, so both move with the code;
    // without the service's test among its programs, the manager's sleep
    // would not wait for them.
    assert!(
        nap_line.contains("review") && !nap_line.contains("manual"),
        "{nap_line}"
    );
    let diff = stdout(&eventless(
        &["diff", ".", "--review", "--color", "never"],
        dir.path(),
    ));
    assert!(
        diff.contains("+    with mock.patch('time.sleep'):")
            && diff.contains("+@mock.patch('time.sleep')"),
        "{diff}"
    );
}

#[test]
fn a_sleep_leaves_a_bare_mock_in_shared_set_up_code_only_with_escaped_mock() {
    let base = |with_item: &str| {
        format!(
            "from unittest import mock\n\n\ndef start_quietly(service):\n    \
             with {with_item}:\n        service()\n"
        )
    };
    let tree_with = |base: &str| {
        tree(&[
            ("eventless.toml", b"" as &[u8]),
            ("pkg/__init__.py", b""),
            (
                "pkg/naps.py",
                b"import eventlet\n\n\ndef nap():\n    eventlet.sleep(1)\n",
            ),
            ("pkg/tests/__init__.py", b""),
            ("pkg/tests/base.py", base.as_bytes()),
            (
                "pkg/tests/test_start.py",
                b"from pkg import naps\nfrom pkg.tests import base\n\n\n\
                  def test_start():\n    base.start_quietly(naps.nap)\n",
            ),
            // Another test's own mock moves with the code, so with it.
            (
                "pkg/tests/test_naps.py",
                b"from unittest import mock\n\nfrom pkg import naps\n\n\n\
                  @mock.patch('eventlet.sleep')\ndef test_nap(sleep):\n    naps.nap()\n    \
                  sleep.assert_called_once_with(1)\n",
            ),
        ])
    };
    let dir = tree_with(&base("mock.patch('eventlet.sleep')"));
    let diff = |accept: &str| {
        stdout(&eventless(
            &["diff", ".", "--accept", accept, "--color", "never"],
            dir.path(),
        ))
    };
    // The tests' mock moves with the code, which waits for escaped-mock.
    let text = stdout(&eventless(
        &["scan", ".", "--accept", "wider-mock"],
        dir.path(),
    ));
    let nap_line = line_with(&text, "./pkg/naps.py:5:");
    assert!(
        nap_line.contains("escaped-mock")
            && nap_line.contains("only skips its wait (./pkg/tests/base.py:5"),
        "{nap_line}"
    );
    assert!(!diff("wider-mock").contains("time.sleep"));
    let both = diff("wider-mock,escaped-mock");
    assert!(
        both.contains("+    time.sleep(1)")
            && both.contains("+@mock.patch('time.sleep')")
            && !both.contains("base.py"),
        "{both}"
    );

    // Outside the paths given, a bare mock would follow in a run that
    // includes it: it holds.
    let text = stdout(&eventless(
        &["scan", "--review", "pkg/naps.py", "pkg/tests/test_naps.py"],
        dir.path(),
    ));
    let nap_line = line_with(&text, "./pkg/naps.py:5:");
    assert!(
        nap_line.contains("manual") && nap_line.contains("outside the paths given"),
        "{nap_line}"
    );

    // A mock that a test reads (`as`), or that does more than skip the
    // wait, holds the code at every level.
    for held in [
        "mock.patch('eventlet.sleep') as sleep",
        "mock.patch('eventlet.sleep', side_effect=StopIteration)",
    ] {
        let dir = tree_with(&base(held));
        let diff = stdout(&eventless(&["diff", ".", "--review"], dir.path()));
        assert!(!diff.contains("time.sleep"), "{held}: {diff}");
    }
}

/// An import a function makes for what importing does (a probe in a try)
/// is not the module's import of the same name: it stays when the
/// module's goes with its last use.
#[test]
fn a_function_s_probe_import_stays_when_the_module_s_import_goes() {
    let naps = b"import eventlet\n\n\ndef nap():\n    eventlet.sleep(1)\n\n\n\
                 def green_ssl_available():\n    try:\n        \
                 import eventlet.green.ssl  # noqa: F401\n        return True\n    \
                 except ImportError:\n        return False\n";
    let dir = tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/naps.py", naps),
    ]);
    let out = eventless(&["apply", "."], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::read_to_string(dir.path().join("pkg/naps.py")).unwrap();
    assert!(
        after.starts_with("import time\n") && after.contains("    time.sleep(1)\n"),
        "{after}"
    );
    assert!(
        after.contains("        import eventlet.green.ssl  # noqa: F401\n"),
        "{after}"
    );
}

/// A test module named for eventlet tests the project's support of it
/// (oslo.concurrency's test_lockutils_eventlet.py): it stays as it is,
/// where its twin under another name is rewritten.
#[test]
fn a_test_module_named_for_eventlet_stays_as_it_is() {
    let test = b"import eventlet\n\n\ndef test_nap():\n    eventlet.sleep(0)\n";
    let dir = tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_naps.py", test),
        ("pkg/tests/test_naps_eventlet.py", test),
    ]);
    let text = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
    assert!(
        line_with(&text, "test_naps_eventlet.py:5:")
            .contains("manual: this test module is named for eventlet"),
        "{text}"
    );
    assert!(
        line_with(&text, "test_naps.py:5:").contains("rewrite by sleep"),
        "{text}"
    );
}

/// A project that still runs on Python 2 (swift 2.33, whose CI runs a
/// py27 job) gets none of the rewrites, which write Python 3's standard
/// library: each use says so, and names the transform that would take it.
#[test]
fn a_project_that_still_runs_on_python_2_is_left_as_it_is() {
    let naps = b"import eventlet\n\n\ndef nap():\n    eventlet.sleep(1)\n";
    let dir = tree(&[
        (
            "setup.cfg",
            b"[metadata]\nname = naps\nclassifier =\n    Programming Language :: Python :: 2.7\n    \
              Programming Language :: Python :: 3.8\n\n[entry_points]\nconsole_scripts =\n    \
              naps = naps.naps:nap\n",
        ),
        ("naps/__init__.py", b""),
        ("naps/naps.py", naps),
    ]);
    let args = ["scan", ".", "--review", "--assume-monkey-patched"];
    let text = stdout(&eventless(&args, dir.path()));
    assert!(
        line_with(&text, "naps.py:5:").contains(
            "[sleep] manual: the project still runs on Python 2 (setup.cfg's classifiers list \
             Python 2)"
        ),
        "{text}"
    );
    let diff = stdout(&eventless(
        &["diff", ".", "--review", "--assume-monkey-patched"],
        dir.path(),
    ));
    assert!(!diff.contains("+++"), "{diff}");
    // Python 3 alone, the same tree is rewritten.
    let setup = std::fs::read_to_string(dir.path().join("setup.cfg")).unwrap();
    std::fs::write(dir.path().join("setup.cfg"), setup.replace("2.7", "3.6")).unwrap();
    let text = stdout(&eventless(&args, dir.path()));
    assert!(
        line_with(&text, "naps.py:5:").contains("rewrite by sleep"),
        "{text}"
    );
}

/// eventlet's own code and tests are what users move off: run on
/// eventlet's tree, eventless rewrites nothing and says why.
#[test]
fn eventlet_s_own_tree_is_left_as_it_is() {
    let naps = b"import eventlet\n\n\ndef nap():\n    eventlet.sleep(1)\n";
    let dir = tree(&[
        ("setup.cfg", b"[metadata]\nname = eventlet\n"),
        ("tests/__init__.py", b""),
        ("tests/naps_test.py", naps),
    ]);
    let text = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
    assert!(
        line_with(&text, "naps_test.py:5:").contains(
            "manual: this project is eventlet itself: its code and its tests of its own \
             APIs are what users move off"
        ),
        "{text}"
    );
    let diff = stdout(&eventless(&["diff", ".", "--review"], dir.path()));
    assert!(!diff.contains("+++"), "{diff}");
}

/// A narrow mock patches the time of every module under test: where one of
/// them keeps its sleep (another test's mock, given a spec, holds it), the
/// mock stays, and so do the sleeps of the others that it catches.
#[test]
fn a_sleep_mock_narrowing_to_two_modules_stays_where_one_keeps_its_sleep() {
    let nap = b"import eventlet\n\n\ndef nap():\n    eventlet.sleep(1)\n";
    let test_both =
        b"from unittest import mock\n\nfrom pkg import naps\nfrom pkg import rests\n\n\n\
                      @mock.patch('eventlet.sleep')\ndef test_both(fake_sleep):\n    \
                      naps.nap()\n    rests.nap()\n";
    let test_rests = b"from unittest import mock\n\nfrom pkg import rests\n\n\n\
                       @mock.patch('eventlet.sleep', autospec=True)\n\
                       def test_rest(fake_sleep):\n    rests.nap()\n";
    let dir = tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/naps.py", nap),
        ("pkg/rests.py", nap),
        ("pkg/rpc.py", RPC_SERVER),
        ("pkg/debugging.py", HELD_BY_A_PERSON),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_rpc.py", RPC_SERVER_TEST),
        ("pkg/tests/test_both.py", test_both),
        ("pkg/tests/test_rests.py", test_rests),
    ]);
    let text = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
    assert!(
        line_with(&text, "./pkg/naps.py:5:").contains(
            "the test module pkg/tests/test_both.py run alone mocks \
             eventlet.greenthread.sleep through the time of this module and of pkg.rests"
        ),
        "{text}"
    );
    let diff = stdout(&eventless(&["diff", ".", "--review"], dir.path()));
    assert!(!diff.contains("+++"), "{diff}");
}

/// Where the test run may leave an RPC listener polling with time.sleep, a
/// test's mock of eventlet's sleep patches the module under test's
/// own time instead (review: narrower-mock), and the module's sleeps move
/// with it; a mock given a spec stays, with the sleeps it covers.
#[test]
fn a_sleep_mock_narrows_to_the_module_under_test_where_rpc_listeners_poll() {
    let naps = b"import time\n\nimport eventlet\n\n\ndef nap():\n    \
                 started = time.monotonic()\n    eventlet.sleep(1)\n    \
                 return time.monotonic() - started\n";
    let rests = b"import eventlet\n\n\ndef rest():\n    eventlet.sleep(1)\n";
    let test_naps = b"import unittest\nfrom unittest import mock\n\nimport eventlet\n\n\
                      from pkg import naps\n\n\n\
                      @mock.patch.object(eventlet, 'sleep')\ndef test_nap(fake_sleep):\n    \
                      naps.nap()\n\n\n\
                      class NapTest(unittest.TestCase):\n    def setUp(self):\n        \
                      super().setUp()\n        mock.patch('eventlet.sleep').start()\n\n    \
                      def test_nap(self):\n        naps.nap()\n";
    let test_rests = b"from unittest import mock\n\nimport eventlet\n\nfrom pkg import rests\n\n\n\
                       @mock.patch.object(eventlet, 'sleep', autospec=True)\n\
                       def test_rest(fake_sleep):\n    rests.rest()\n";
    let dir = tree(&[
        ("eventless.toml", b""),
        ("pkg/__init__.py", b""),
        ("pkg/naps.py", naps),
        ("pkg/rests.py", rests),
        ("pkg/rpc.py", RPC_SERVER),
        ("pkg/debugging.py", HELD_BY_A_PERSON),
        ("pkg/tests/__init__.py", b""),
        ("pkg/tests/test_rpc.py", RPC_SERVER_TEST),
        ("pkg/tests/test_naps.py", test_naps),
        ("pkg/tests/test_rests.py", test_rests),
    ]);
    let text = stdout(&eventless(&["scan", ".", "--review"], dir.path()));
    for site in [
        "./pkg/tests/test_naps.py:9:",
        "./pkg/tests/test_naps.py:17:",
    ] {
        assert!(
            line_with(&text, site).contains("rewrite by sleep-module-mock (review: narrower-mock)"),
            "{text}"
        );
    }
    assert!(
        line_with(&text, "./pkg/naps.py:8:").contains("rewrite by sleep (review: narrower-mock"),
        "{text}"
    );
    assert!(
        line_with(&text, "./pkg/tests/test_rests.py:8:").contains(
            "Nor can this mock patch the module under test's time: the mock is given \
             more than its target"
        ),
        "{text}"
    );
    assert!(
        line_with(&text, "./pkg/rests.py:5:").contains("manual"),
        "{text}"
    );
    // The default level leaves the mock, and the sleeps it covers.
    let exact = stdout(&eventless(&["scan", "."], dir.path()));
    assert!(
        line_with(&exact, "./pkg/naps.py:8:").contains("manual"),
        "{exact}"
    );
    let out = eventless(&["apply", ".", "--review"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let test_after = std::fs::read_to_string(dir.path().join("pkg/tests/test_naps.py")).unwrap();
    assert_eq!(
        test_after,
        "import time\nimport unittest\nfrom unittest import mock\n\nfrom pkg import naps\n\n\n\
         @mock.patch.object(naps, 'time', wraps=time, sleep=mock.Mock())\n\
         def test_nap(fake_sleep):\n    naps.nap()\n\n\n\
         class NapTest(unittest.TestCase):\n    def setUp(self):\n        super().setUp()\n        \
         mock.patch('pkg.naps.time',\n                   \
         mock.Mock(wraps=time, sleep=mock.Mock())).start()\n\n    def test_nap(self):\n        naps.nap()\n"
    );
    let naps_after = std::fs::read_to_string(dir.path().join("pkg/naps.py")).unwrap();
    assert!(naps_after.contains("    time.sleep(1)\n"), "{naps_after}");
    let again = stdout(&eventless(
        &["diff", ".", "--review", "--color", "never"],
        dir.path(),
    ));
    assert!(!again.contains("+++"), "{again}");
}
