//! Whole-file rewrites of the fixtures under `tests/fixtures/`, reviewed as
//! unified diffs in `snapshots/`. Each fixture is its own tree.

use std::path::Path;

use eventless::decide::matcher::Selection;
use eventless::diff::unified;
use eventless::engine::{self, Options};
use eventless::transform::Catalogue;

/// At which level a snapshot is rewritten.
#[derive(Clone, Copy)]
enum Level {
    /// The default: exact rewrites only.
    Exact,
    /// `--review`: every behaviour difference accepted.
    Review,
}

fn rewrite(fixture: &str) -> String {
    rewrite_with(fixture, false, Level::Exact)
}

fn rewrite_with(fixture: &str, assume_monkey_patched: bool, level: Level) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    rewrite_at(&path, fixture, assume_monkey_patched, level)
}

/// A fixture folder copied with some of its files given other text (the
/// same project under other requirements), rewritten as `rewrite_with`.
fn rewrite_changed(fixture: &str, changed: &[(&str, &str)], level: Level) -> String {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join(fixture);
    copy_tree(&from, &to);
    for (name, text) in changed {
        std::fs::write(to.join(name), text).unwrap();
    }
    rewrite_at(&to, fixture, false, level)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        match entry.file_type().unwrap().is_dir() {
            true => copy_tree(&entry.path(), &target),
            false => {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
}

fn rewrite_at(path: &Path, fixture: &str, assume_monkey_patched: bool, level: Level) -> String {
    let catalogue = Catalogue::builtin().unwrap();
    let options = Options {
        paths: vec![path.to_path_buf()],
        assume_monkey_patched: assume_monkey_patched
            .then(|| eventless::decide::tree_facts::assumed_patching(&["all".into()]).unwrap()),
        selection: Selection {
            accepted: match level {
                Level::Exact => Default::default(),
                Level::Review => (0..catalogue.differences.len()).collect(),
            },
            ..Selection::default()
        },
        ..Options::default()
    };
    let run = engine::run(&catalogue, &options).unwrap();
    assert!(!run.files.is_empty(), "the fixture mentions eventlet");
    // A fixture folder is a project: each file that mentions eventlet, by path.
    let mut files: Vec<_> = run.files.iter().collect();
    files.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    let mut out = String::new();
    for file in files {
        assert_eq!(file.error, None);
        let name = match file.source.path.strip_prefix(path) {
            Ok(relative) if !relative.as_os_str().is_empty() => relative.display().to_string(),
            _ => fixture.to_owned(),
        };
        let new = file.new_text.as_deref().unwrap_or(&file.source.text);
        if name.ends_with(".py") {
            let reparsed = eventless::python::parse::parse(new);
            assert_eq!(
                eventless::python::parse::first_syntax_error(&reparsed),
                None,
                "output must parse"
            );
        }
        out.push_str(&unified(&name, &file.source.text, new, false));
        match name == fixture {
            true => out.push_str("\n# findings\n"),
            false => out.push_str(&format!("\n# findings in {name}\n")),
        }
        for f in &file.findings {
            out.push_str(&format!(
                "{}:{} {} {:?} {}\n",
                f.line,
                f.column,
                f.api,
                f.action,
                f.transform.as_deref().unwrap_or("-")
            ));
        }
    }
    out
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Spawns green threads and never patches: only what holds either way moves.
#[test]
fn openstack_module() {
    settings().bind(|| insta::assert_snapshot!(rewrite("openstack_module.py")));
}

/// The same module in a service that monkey-patches (as OpenStack services
/// do), with --review.
#[test]
fn openstack_module_monkey_patched() {
    settings()
        .bind(|| insta::assert_snapshot!(rewrite_with("openstack_module.py", true, Level::Review)));
}

#[test]
fn crlf_and_tabs_survive() {
    let out = rewrite("crlf_tabs.py");
    settings().bind(|| insta::assert_snapshot!(out.replace('\r', "\\r")));
}

#[test]
fn nested_and_partial_imports() {
    settings().bind(|| insta::assert_snapshot!(rewrite("nested_and_partial.py")));
}

/// The last eventlet uses go, and monkey_patch() with them (at the review
/// level: the service leaves greendns on, so its lookups move to the
/// system resolver): the imports after it lose the E402 markers only it
/// made necessary.
#[test]
fn service_entry_point() {
    settings().bind(|| {
        insta::assert_snapshot!(rewrite_with("service_entry_point.py", false, Level::Review))
    });
}

/// Spawns whose handles are kept, in a module of a monkey-patched service,
/// at the exact level: each is reported, as its rewrite has the
/// start-order difference.
#[test]
fn kept_spawn_handles() {
    settings().bind(|| {
        insta::assert_snapshot!(rewrite_with("kept_spawn_handles.py", true, Level::Exact))
    });
}

/// The same with --review: a handle only joined becomes a thread started
/// on the next line; the others get the `_spawn_future` helper once, after
/// the constants and before the comment and class that follow them.
#[test]
fn kept_spawn_handles_review() {
    settings().bind(|| {
        insta::assert_snapshot!(rewrite_with("kept_spawn_handles.py", true, Level::Review))
    });
}

/// connect(), spawn_after() with a followed handle and shutdown_safe() in
/// one module of a monkey-patched service, with --review (the followed
/// spawn_after is review level): three helpers, defined once each before
/// the class, and aligned continuation lines kept aligned.
#[test]
fn network_service() {
    settings()
        .bind(|| insta::assert_snapshot!(rewrite_with("network_service.py", true, Level::Review)));
}

/// Pools in a module of a monkey-patched service that keeps a green
/// thread, with --review: the GreenPool waited for, the futurist executor
/// of a with block and the one kept on an attribute become threaded
/// executors (whose workers are green threads while threads are patched);
/// the killed thread stays.
#[test]
fn patched_pools() {
    settings()
        .bind(|| insta::assert_snapshot!(rewrite_with("patched_pools.py", true, Level::Review)));
}

/// An agent whose last eventlet uses are pools waited for in the functions
/// that make them: they become executors in the run that removes
/// monkey_patch(), with one helper printing the tasks' exceptions.
#[test]
fn pool_sync() {
    settings().bind(|| insta::assert_snapshot!(rewrite_with("pool_sync.py", false, Level::Review)));
}

/// From-imports of green modules and their members become imports from the
/// stdlib modules, and the names they bind stay as they are; a statement
/// with a comment, inside a function, or of a member of a module that
/// monkey_patch() patches in place (socketpair) keeps the reference rewrite.
/// With --review: green http.client is a copy with classes of its own
/// (module-copy).
#[test]
fn green_from_imports() {
    settings().bind(|| {
        insta::assert_snapshot!(rewrite_with("green_from_imports.py", false, Level::Review))
    });
}

/// Fallback imports (`try: from eventlet import sleep` / `except
/// ImportError: from time import sleep`) go whole once every name of
/// theirs is rewritten; the green socket goes from a fallback that keeps
/// green ssl, with the handler's socket import.
#[test]
fn fallback_imports() {
    settings().bind(|| insta::assert_snapshot!(rewrite("fallback_imports.py")));
}

/// A fallback import that stood between two parts of one stdlib import
/// group goes with a blank line on each side: the group is one again.
#[test]
fn fallback_between_groups() {
    settings().bind(|| insta::assert_snapshot!(rewrite("fallback_between_groups.py")));
}

/// Timeouts around one blocking call each (a queue's put and get, a
/// semaphore's acquire, a green process's wait, a flag event's wait, in a
/// monkey-patched service) become the calls' own timeouts; the one around
/// a loop stays, and with it the eventlet import.
#[test]
fn timeouts() {
    settings().bind(|| insta::assert_snapshot!(rewrite_with("timeouts.py", true, Level::Exact)));
}

/// A module of a monkey-patched service: green modules become the stdlib
/// ones, a lock and thread-local storage threading's, an Event that carries
/// a value a Future, listen() create_server().
#[test]
fn patched_agent() {
    settings()
        .bind(|| insta::assert_snapshot!(rewrite_with("patched_agent.py", true, Level::Review)));
}

/// A module of a tree with no green threads left, with --review: the hub
/// and thread pool settings go, tpool calls become direct calls, the
/// patcher's questions get their native answers, and the modules it loaded
/// copies of are the shared ones (module-copy): an import where the copy
/// had the module's own name, importlib elsewhere.
#[test]
fn native_storage() {
    settings()
        .bind(|| insta::assert_snapshot!(rewrite_with("native_storage.py", false, Level::Review)));
}

/// A project whose last eventlet uses go in one run: the entry point's
/// monkey_patch(), futurist's green executor and oslo.messaging's executor
/// option, the tests' mocks with the code they patch, and the requirement,
/// tox setting and coverage option with them.
#[test]
fn switch_project() {
    // The switch takes oslo.messaging's executor along: a review-level
    // rewrite.
    settings()
        .bind(|| insta::assert_snapshot!(rewrite_with("switch_project", false, Level::Review)));
}

/// A service that patches as it is imported, on oslo.messaging 14: its
/// servers drop executor='eventlet' (oslo.messaging picks the eventlet
/// executor itself while thread is patched), and the test's expected call
/// drops it with them; exact.
#[test]
fn rpc_service() {
    settings().bind(|| insta::assert_snapshot!(rewrite_with("rpc_service", false, Level::Exact)));
}

/// The same service on an oslo.messaging older than 12.0.0, which picks
/// no executor itself: 'threading', with the differences of the threading
/// executor (review level).
#[test]
fn rpc_service_legacy() {
    let older = "eventlet>=0.30.1 # MIT\noslo.messaging>=7.0.0 # Apache-2.0\n";
    settings().bind(|| {
        insta::assert_snapshot!(rewrite_changed(
            "rpc_service",
            &[("requirements.txt", older)],
            Level::Review
        ))
    });
}

/// A storage driver's tests, in a project whose test run may leave an RPC
/// listener polling with time.sleep: the unread mocks of eventlet's sleep
/// patch the time of each module the test module imports whose code
/// sleeps (review: narrower-mock), and those sleeps move with them.
#[test]
fn driver_sleep_mocks() {
    settings()
        .bind(|| insta::assert_snapshot!(rewrite_with("driver_sleep_mocks", false, Level::Review)));
}

/// Every built-in transform rewrites something in a reviewed snapshot.
#[test]
fn every_transform_is_in_a_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let snapshots: String = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    let catalogue = Catalogue::builtin().unwrap();
    let missing: Vec<&str> = catalogue
        .transforms
        .iter()
        .map(|t| t.id.as_str())
        .filter(|id| {
            !snapshots
                .lines()
                .any(|line| line.ends_with(&format!(" Rewrite {id}")))
        })
        .collect();
    assert!(missing.is_empty(), "no snapshot rewrites with {missing:?}");
}
