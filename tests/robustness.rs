//! Never corrupt a file, whatever it holds: mutated and arbitrary Python
//! goes through the whole engine, and every output must parse and be left
//! alone by a second run. `PROPTEST_CASES=10000 cargo test --test
//! robustness` runs longer than the default budget.

use std::path::Path;

use eventless::engine::{self, Options};
use eventless::python::parse::{first_syntax_error, parse};
use eventless::transform::Catalogue;
use proptest::prelude::*;

fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = Vec::new();
    for dir in ["tests/fixtures", "tests/differential", "examples/demo/demo"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "py") {
                seeds.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    seeds.sort();
    seeds
}

const PIECES: &[&str] = &[
    "eventlet.",
    "sleep(",
    "eventlet.sleep(0)\n",
    ")",
    "(",
    ":",
    "\n",
    "    ",
    "\t",
    "\r\n",
    "#",
    "'",
    "\"",
    "import eventlet\n",
    "from eventlet import queue\n",
    "from eventlet.green import socket\n",
    "queue",
    "time",
    "def f(time):\n",
    "class C:\n",
    "lambda: ",
    "= ",
    ",",
    "\\\n",
    "global eventlet\n",
    "eventlet = None\n",
    "eventlet.monkey_patch()\n",
    "eventlet.spawn_n(f, 1)\n",
    "gt = eventlet.spawn(f)\n",
    "gt.wait()\n",
    "_spawn_future",
    "# TODO(eventlet-removal): x\n",
    "# noqa: E402\n",
    "from eventlet.green.http.client import HTTPConnection\n",
    "from eventlet.green.socket import socket\n",
    "HTTPConnection(",
    "socket.",
    "pool = eventlet.GreenPool(2)\n",
    "pool.spawn_n(f)\n",
    "pool.waitall()\n",
    "import futurist\n",
    "futurist.GreenThreadPoolExecutor(",
    "items = [event.Event() for _ in x]\n",
    "try:\n    with eventlet.Timeout(1):\n        sem.acquire()\nexcept eventlet.Timeout:\n    pass\n",
    "sem = eventlet.Semaphore(1)\n",
    "done = eventlet.Event()\n",
    "done.wait()",
    "pile = eventlet.GreenPile(2)\n",
    "pile.spawn(f)\n",
    "list(pile)",
    "mock.patch.object(eventlet, 'sleep')",
    "eventlet.greenio.GreenPipe(",
    ".append(",
    "for item in items:\n",
    "with ",
    "as ",
    "for ",
    "in ",
    "yield ",
    "async ",
    "await ",
    "é",
    "\u{feff}",
];

/// Runs eventless over one file; returns the new text, if any.
fn rewrite(code: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.py"), code).unwrap();
    let catalogue = Catalogue::builtin().unwrap();
    let options = Options {
        paths: vec![dir.path().to_path_buf()],
        ..Options::default()
    };
    let run = engine::run(&catalogue, &options).unwrap();
    run.files.into_iter().next().and_then(|f| f.new_text)
}

fn check(code: &str) -> Result<(), TestCaseError> {
    if let Some(new) = rewrite(code) {
        prop_assert_eq!(
            first_syntax_error(&parse(&new)),
            None,
            "output does not parse:\n{}",
            new
        );
        prop_assert!(
            first_syntax_error(&parse(code)).is_none(),
            "a file with syntax errors was rewritten"
        );
        prop_assert_eq!(
            rewrite(&new),
            None,
            "a second run changed it again:\n{}",
            new
        );
        // No import statement is added twice (markers such as E402's aside;
        // eventlet imports that lose clauses may come to look alike).
        let statement = |l: &str| {
            l.split('#')
                .next()
                .unwrap_or_default()
                .trim_end()
                .to_owned()
        };
        for line in new
            .lines()
            .filter(|l| l.starts_with("import ") || l.starts_with("from "))
            .filter(|l| !l.contains("eventlet"))
        {
            let line = statement(line);
            let count = |text: &str| text.lines().filter(|l| statement(l) == line).count();
            prop_assert!(
                count(&new) <= count(code).max(1),
                "'{}' imported twice:\n{}",
                line,
                new
            );
        }
        // A helper is defined once, whatever the rounds and uses.
        for helper in &Catalogue::builtin().unwrap().helpers {
            let definitions = |text: &str| {
                text.lines()
                    .filter(|l| l.starts_with(&format!("def {}(", helper.name)))
                    .count()
            };
            prop_assert!(
                definitions(&new) <= definitions(code).max(1),
                "{} defined twice:\n{}",
                helper.name,
                new
            );
        }
    }
    Ok(())
}

fn mutated() -> impl Strategy<Value = String> {
    let seeds = seeds();
    (
        0..seeds.len(),
        prop::collection::vec(
            (any::<prop::sample::Index>(), 0..4u8, 0..PIECES.len()),
            1..6,
        ),
    )
        .prop_map(move |(seed, edits)| {
            let mut text = seeds[seed].clone();
            for (at, op, piece) in edits {
                let mut cut = at.index(text.len() + 1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                match op {
                    0 => text.insert_str(cut, PIECES[piece]),
                    1 => {
                        let mut end = (cut + piece * 3).min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        text.replace_range(cut..end, "");
                    }
                    2 => {
                        let line_start = text[..cut].rfind('\n').map_or(0, |i| i + 1);
                        let line_end = text[cut..].find('\n').map_or(text.len(), |i| cut + i + 1);
                        let line = text[line_start..line_end].to_owned();
                        text.insert_str(line_start, &line);
                    }
                    _ => text.insert_str(cut, &format!("\n{}", PIECES[piece])),
                }
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn mutated_real_code_is_rewritten_safely_or_left_alone(code in mutated()) {
        check(&code)?;
    }

    #[test]
    fn arbitrary_token_soup_never_panics(pieces in prop::collection::vec(0..PIECES.len(), 0..40)) {
        let code: String = pieces.into_iter().map(|i| PIECES[i]).collect();
        check(&code)?;
    }
}

#[test]
fn deep_nesting_and_huge_files_are_handled() {
    let deep = format!(
        "import eventlet\nx = {}1{}\neventlet.sleep(1)\n",
        "(".repeat(2000),
        ")".repeat(2000)
    );
    let _ = rewrite(&deep);
    let big: String = (0..20000)
        .map(|i| format!("def f{i}():\n    eventlet.sleep({i})\n"))
        .collect();
    let new = rewrite(&format!("import eventlet\n{big}")).expect("rewritten");
    assert!(new.starts_with("import time\n"));
    assert!(new.contains("time.sleep(19999)"));
}

#[test]
fn binary_and_read_only_files_are_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("blob.py");
    std::fs::write(&binary, b"eventlet\x00\xff\xfe\x00").unwrap();
    let ro = dir.path().join("ro.py");
    std::fs::write(&ro, "import eventlet\neventlet.sleep(1)\n").unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(["apply", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("blob.py: skipped: not valid UTF-8"), "{err}");
    // Root may write anywhere; the file must then be rewritten whole, else reported.
    let now = std::fs::read_to_string(&ro).unwrap();
    assert!(
        now == "import eventlet\neventlet.sleep(1)\n" || now == "import time\ntime.sleep(1)\n",
        "{now}"
    );
    assert_eq!(std::fs::read(&binary).unwrap(), b"eventlet\x00\xff\xfe\x00");
}

#[test]
fn symlink_loops_do_not_hang_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).unwrap();
    std::fs::write(
        dir.path().join("a/m.py"),
        "import eventlet\neventlet.sleep(1)\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(["scan", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("m.py:2:1: eventlet.greenthread.sleep"));
}

/// Trees past the memory budget are parsed again instead; the answer must
/// not change, whether none or some of the trees are kept.
#[test]
fn the_low_memory_passes_give_the_same_result() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue = Catalogue::builtin().unwrap();
    let run = |budget: Option<usize>| {
        let options = Options {
            paths: vec![
                root.join("tests/differential"),
                root.join("tests/fixtures"),
                root.join("examples/demo"),
            ],
            tree_budget: budget,
            ..Options::default()
        };
        let result = engine::run(&catalogue, &options).unwrap();
        result
            .files
            .iter()
            .map(|f| {
                (
                    f.source.path.clone(),
                    serde_json::to_string(&f.findings).unwrap(),
                    f.new_text.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let kept = run(None);
    assert!(kept.iter().filter(|f| f.2.is_some()).count() > 10);
    assert_eq!(kept, run(Some(0)));
    assert_eq!(kept, run(Some(8 << 10)));
}

/// An apply killed at any moment leaves every file as it was or as the
/// whole rewrite makes it, never half-written, and no stray Python file.
/// The kill lands at once, and again as soon as the first file changes
/// (while the others are being written).
#[test]
fn a_killed_apply_leaves_no_half_written_file() {
    let mut original = String::from("import eventlet\n\n\n");
    for i in 0..3000 {
        original.push_str(&format!("def f{i}():\n    eventlet.sleep({i})\n\n\n"));
    }
    let expected = original
        .replace("import eventlet\n", "import time\n")
        .replace("eventlet.sleep(", "time.sleep(");
    let files = |dir: &Path| -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap_or_default())
            })
            .collect();
        found.sort();
        found
    };
    for wait_for_a_write in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        for n in 0..40 {
            std::fs::write(dir.path().join(format!("m{n:02}.py")), &original).unwrap();
        }
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_eventless"))
            .args(["apply", "--no-cache", "--quiet"])
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // A wait, not a timing: a debug build on a busy 2-core machine is slow.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        while wait_for_a_write
            && std::time::Instant::now() < deadline
            && files(dir.path())
                .iter()
                .all(|(name, text)| !name.ends_with(".py") || *text == original)
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let mut rewritten = 0;
        for (name, text) in files(dir.path()) {
            if name.starts_with(".eventless-") {
                // A temporary file the kill interrupted: never a .py file.
                assert!(!name.ends_with(".py"), "{name}");
                continue;
            }
            assert!(
                text == original || text == expected,
                "{name} is half-written after the kill"
            );
            rewritten += usize::from(text == expected);
        }
        assert_eq!(
            rewritten > 0,
            wait_for_a_write,
            "{rewritten} files rewritten"
        );
    }
}
