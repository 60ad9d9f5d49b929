//! `eventless batch` over several temporary repositories, one of them broken.

mod common;

use std::process::Command;

use common::{eventless, git};

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, code) in [
        (
            "alpha",
            "import eventlet\n\n\ndef f():\n    eventlet.sleep(1)\n",
        ),
        ("beta", "import eventlet\n\nhub = eventlet.hubs.get_hub()\n"),
    ] {
        let repo = d.join(name);
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(repo.join("m.py"), code).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        git(&repo, &["config", "user.name", "Ann Dev"]);
        git(&repo, &["config", "user.email", "ann@example.com"]);
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "Initial"]);
    }
    std::fs::create_dir_all(d.join("gamma")).unwrap();
    std::fs::write(d.join("gamma/m.py"), "import eventlet\neventlet.sleep(2)\n").unwrap();
    std::fs::write(
        d.join("manifest.toml"),
        "[defaults]\nlink_base = \"https://opendev.org/openstack/{name}/src/branch/master/\"\n\n\
         [[repo]]\npath = \"alpha\"\n\n[[repo]]\npath = \"beta\"\n\n[[repo]]\npath = \"gamma\"\n\n\
         [[repo]]\npath = \"missing\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn failures_are_isolated_and_summed_up() {
    let dir = workspace();
    let d = dir.path();
    let out = eventless(
        d,
        &[
            "batch",
            "manifest.toml",
            "--jobs",
            "3",
            "--report",
            "summary.json",
            "--report",
            "summary.md",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a failed repository makes the exit status 2"
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("missing") && table.contains("FAILED: "),
        "{table}"
    );
    assert!(
        table.contains(
            "4 repositories, 1 failed; 3 eventlet uses, 2 rewritten, 1 left for manual work"
        ),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("summary.json")).unwrap()).unwrap();
    let alpha = json
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "alpha")
        .unwrap();
    assert_eq!(alpha["rewritten"], 1);
    assert_eq!(alpha["deactivable"], true);
    assert_eq!(
        alpha["link_base"],
        "https://opendev.org/openstack/alpha/src/branch/master/"
    );
    let md = std::fs::read_to_string(d.join("summary.md")).unwrap();
    assert!(md.contains("| beta | 1 | 0 | 0 | 1 | No |"), "{md}");

    eventless(d, &["batch", "manifest.toml", "-q", "--out", "readiness"]);
    let beta = std::fs::read_to_string(d.join("readiness/beta.md")).unwrap();
    assert!(
        beta.contains("# eventlet removal readiness: beta"),
        "{beta}"
    );
    assert!(beta.contains("https://opendev.org/openstack/beta/src/branch/master/m.py#L3 : `hub = eventlet.hubs.get_hub()` (manual)"), "{beta}");
}

#[test]
fn the_ledger_drives_reruns() {
    let dir = workspace();
    let d = dir.path();
    eventless(d, &["batch", "manifest.toml", "-q"]);
    let ledger: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("manifest.state.json")).unwrap())
            .unwrap();
    assert_eq!(ledger["runs"].as_array().unwrap().len(), 1);
    let out = eventless(d, &["batch", "manifest.toml", "--only-failed", "-q"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("1 repositories, 1 failed"), "{table}");
    let out = eventless(d, &["batch", "manifest.toml", "--only-changed", "-q"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("alpha") && table.contains("gamma") && !table.contains("beta"),
        "{table}"
    );
}

#[test]
fn commit_mode_commits_in_git_repositories_and_fails_elsewhere() {
    let dir = workspace();
    let d = dir.path();
    let out = eventless(d, &["batch", "manifest.toml", "--mode", "commit", "-q"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("not inside a git repository"), "{table}");
    let log = Command::new("git")
        .args(["log", "--format=%s", "main..eventlet-removal"])
        .current_dir(d.join("alpha"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&log.stdout).trim(),
        "Replace eventlet.sleep with time.sleep"
    );
    let ledger = std::fs::read_to_string(d.join("manifest.state.json")).unwrap();
    assert!(
        ledger.contains("Replace eventlet.sleep with time.sleep") && ledger.contains("\"I"),
        "{ledger}"
    );
}

/// Headless Chromium (Debian's `chromium`, installed by .ci/run) loads the
/// dashboard; `EVENTLESS_SKIP_BROWSER=1` skips this deliberately.
#[test]
fn the_dashboard_renders_in_a_headless_browser() {
    if std::env::var_os("EVENTLESS_SKIP_BROWSER").is_some() {
        eprintln!("SKIPPED: dashboard browser test (EVENTLESS_SKIP_BROWSER is set)");
        return;
    }
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        .expect("headless Chromium is needed: apt-get install chromium (or set EVENTLESS_SKIP_BROWSER=1)");
    let dir = workspace();
    let d = dir.path();
    eventless(d, &["batch", "manifest.toml", "-q"]);
    std::fs::write(
        d.join("alpha/m.py"),
        "import time\n\n\ndef f():\n    time.sleep(1)\n",
    )
    .unwrap();
    std::fs::write(d.join("beta/m.py"), "x = 1\n").unwrap();
    eventless(
        d,
        &["batch", "manifest.toml", "-q", "--report", "dash.html"],
    );
    let html = d.join("dash.html");
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let profile = d.join("profile");
    let profile_flag = format!("--user-data-dir={}", profile.display());
    let url = format!("file://{}", html.display());
    let dom = Command::new(chromium)
        .args(flags)
        .arg(&profile_flag)
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("<h1>eventlet removal dashboard</h1>"), "{dom}");
    assert!(dom.contains("4 repositories, 1 failed: 1 eventlet uses, 1 rewritten by eventless, 0 left for manual work."), "{dom}");
    assert!(dom.contains("failed: ") && dom.contains("missing"), "{dom}");
    assert!(
        dom.contains("2 runs in the ledger; uses left for manual work: 1 → 0"),
        "{dom}"
    );
    assert!(dom.contains("<polyline"), "{dom}");
    let png = d.join("dash.png");
    let shot = Command::new(chromium)
        .args(flags)
        .arg(&profile_flag)
        .args([
            "--window-size=900,900",
            &format!("--screenshot={}", png.display()),
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
        "a blank or missing screenshot"
    );
}

/// What commit offers is in the manifest and on the batch command line:
/// select/ignore, the review level, dirty trees, sign-off and trailers.
#[test]
fn the_manifest_and_the_command_line_say_what_commit_says() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let repo = d.join("svc");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(
        repo.join("m.py"),
        "import eventlet\n\neventlet.monkey_patch()\n\n\ndef f(work):\n    eventlet.sleep(1)\n    eventlet.spawn_n(work)\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["config", "user.name", "Ann Dev"]);
    git(&repo, &["config", "user.email", "ann@example.com"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "Initial"]);
    std::fs::write(repo.join("untracked.txt"), "dirty\n").unwrap();
    std::fs::write(
        d.join("manifest.toml"),
        "[defaults]\naccept = [\"start-order\"]\nfooters = [\"Partial-Bug: #2004567\"]\n\n\
         [[repo]]\npath = \"svc\"\nallow_dirty = true\n",
    )
    .unwrap();
    let out = eventless(
        d,
        &[
            "batch",
            "manifest.toml",
            "--mode",
            "commit",
            "-s",
            "--ignore",
            "sleep",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = git(&repo, &["log", "--format=%B", "main..eventlet-removal"]);
    assert!(log.contains("Start threads with threading"), "{log}");
    assert!(
        log.contains("Partial-Bug: #2004567") && log.contains("Signed-off-by: Ann Dev"),
        "{log}"
    );
    let tree = git(&repo, &["show", "eventlet-removal:m.py"]);
    assert!(
        tree.contains("eventlet.sleep(1)"),
        "sleep is ignored: {tree}"
    );
    assert!(
        tree.contains("threading.Thread(target=work, daemon=True).start()"),
        "{tree}"
    );
}

/// An exact run counts what `--review` would rewrite besides, as the
/// review run then does.
#[test]
fn an_exact_run_tells_what_the_review_level_adds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("delta")).unwrap();
    // A spawn whose thread may start before the spawner yields (start-order).
    std::fs::write(
        d.join("delta/m.py"),
        "import eventlet\n\neventlet.monkey_patch()\n\n\ndef start(work):\n    \
         eventlet.spawn(work)\n    eventlet.sleep(1)\n",
    )
    .unwrap();
    std::fs::write(d.join("manifest.toml"), "[[repo]]\npath = \"delta\"\n").unwrap();
    let exact = eventless(d, &["batch", "manifest.toml", "-q"]);
    let exact = String::from_utf8_lossy(&exact.stdout);
    let review = eventless(d, &["batch", "manifest.toml", "-q", "--review"]);
    let review = String::from_utf8_lossy(&review.stdout);
    let made = review
        .split_once("(")
        .and_then(|(_, rest)| rest.split_once(" of the rewrites at the review level"))
        .map(|(n, _)| n.to_owned())
        .unwrap_or_else(|| panic!("{review}"));
    assert_ne!(made, "0", "{review}");
    assert!(
        exact.contains(&format!(
            "(--review rewrites {made} more, each with named differences)"
        )),
        "{exact}\n{review}"
    );
}
