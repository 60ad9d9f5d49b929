//! Differential tests: each program under `tests/differential/` runs under
//! real eventlet, then a copy is rewritten by `eventless apply` and runs
//! again (with a plain interpreter that has no eventlet when no eventlet is
//! left in it). Standard output and exit status must be identical, and the
//! header directives state what the rewrite must have done, so that a tool
//! that silently does nothing fails:
//!
//! ```text
//! # expect-rewrites: 4          exactly this many uses rewritten
//! # expect-manual: API          this canonical API is reported for a person
//! # expect-eventlet-gone: yes   no eventlet left; runs on the plain interpreter
//! ```
//!
//! The interpreters are provisioned on first use under Cargo's target
//! folder (`python3 -m venv`, then `pip install eventlet futurist
//! oslo.messaging`; the plain one gets futurist alone). Set
//! `EVENTLESS_SKIP_DIFFERENTIAL=1` to skip them deliberately; any failure to
//! provision them otherwise fails the test with the reason.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const EVENTLET: &str = "eventlet==0.41.3";
/// A library with an executor that runs on eventlet (and one that does not).
const FUTURIST: &str = "futurist==3.0.0";
/// A library with an eventlet option; under eventlet only, since its
/// oslo.service dependency installs eventlet.
const OSLO_MESSAGING: &str = "oslo.messaging==14.7.0";

struct Interpreters {
    eventlet: PathBuf,
    plain: PathBuf,
}

fn run(cmd: &mut Command) -> Result<std::process::Output, String> {
    cmd.output().map_err(|e| format!("cannot run {cmd:?}: {e}"))
}

fn provision() -> Result<Interpreters, String> {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("differential");
    let make = |name: &str, packages: &[&str]| -> Result<PathBuf, String> {
        let venv = base.join(name);
        let python = venv.join("bin/python");
        let marker = venv.join(".provisioned");
        if std::fs::read_to_string(&marker).is_ok_and(|m| m == packages.join("\n")) {
            return Ok(python);
        }
        let _ = std::fs::remove_dir_all(&venv);
        let mut create = Command::new("python3");
        create.args(["-m", "venv"]);
        if packages.is_empty() {
            create.arg("--without-pip");
        }
        let out = run(create.arg(&venv))?;
        if !out.status.success() {
            return Err(format!(
                "python3 -m venv failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if !packages.is_empty() {
            let out = run(Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(packages))?;
            if !out.status.success() {
                return Err(format!(
                    "pip install {packages:?} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        std::fs::write(&marker, packages.join("\n")).map_err(|e| e.to_string())?;
        Ok(python)
    };
    Ok(Interpreters {
        eventlet: make("venv-eventlet", &[EVENTLET, FUTURIST, OSLO_MESSAGING])?,
        plain: make("venv-plain", &[FUTURIST])?,
    })
}

fn interpreters() -> Option<&'static Interpreters> {
    static CELL: OnceLock<Result<Interpreters, String>> = OnceLock::new();
    if std::env::var_os("EVENTLESS_SKIP_DIFFERENTIAL").is_some() {
        eprintln!("SKIPPED: differential tests (EVENTLESS_SKIP_DIFFERENTIAL is set)");
        return None;
    }
    match CELL.get_or_init(provision) {
        Ok(i) => Some(i),
        Err(e) => panic!(
            "cannot provision Python with eventlet for the differential tests: {e}\n\
             They need python3 with venv and pip, and access to PyPI. \
             Set EVENTLESS_SKIP_DIFFERENTIAL=1 to skip them deliberately."
        ),
    }
}

#[derive(Default)]
struct Expect {
    rewrites: Option<usize>,
    manual: Vec<String>,
    eventlet_gone: bool,
}

fn directives(source: &str) -> Expect {
    let mut expect = Expect::default();
    for line in source.lines().take_while(|l| l.starts_with('#')) {
        let Some((key, value)) = line.trim_start_matches('#').trim().split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "expect-rewrites" => {
                expect.rewrites = Some(value.parse().expect("expect-rewrites takes a number"))
            }
            "expect-manual" => expect.manual.push(value.to_owned()),
            "expect-eventlet-gone" => expect.eventlet_gone = value == "yes",
            _ => {}
        }
    }
    expect
}

fn execute(python: &Path, script: &Path) -> (String, Option<i32>) {
    let out = Command::new(python)
        .arg(script)
        .current_dir(script.parent().unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("the interpreter runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

fn eventless(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(args)
        .output()
        .expect("eventless runs")
}

fn check_program(py: &Interpreters, program: &Path) -> Result<(), String> {
    let name = program.file_name().unwrap().to_string_lossy().into_owned();
    let source = std::fs::read_to_string(program).unwrap();
    let expect = directives(&source);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(&name);
    std::fs::write(&copy, &source).unwrap();

    let (before, before_code) = execute(&py.eventlet, &copy);
    if before_code != Some(0) {
        return Err(format!(
            "{name}: fails under eventlet itself (exit {before_code:?}):\n{before}"
        ));
    }
    let scan = eventless(&["scan", "--format", "json", copy.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&scan.stdout)
        .map_err(|e| format!("{name}: scan output is not JSON: {e}"))?;
    let findings = report["files"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let rewrites = findings.iter().filter(|f| f["action"] == "rewrite").count();
    let manual: Vec<&str> = findings
        .iter()
        .filter(|f| f["action"] == "manual")
        .filter_map(|f| f["api"].as_str())
        .collect();
    if let Some(n) = expect.rewrites
        && rewrites != n
    {
        return Err(format!(
            "{name}: expected {n} rewrites, scan reports {rewrites}: {findings:#?}"
        ));
    }
    for api in &expect.manual {
        if !manual.contains(&api.as_str()) {
            return Err(format!(
                "{name}: expected {api} reported as manual; manual: {manual:?}"
            ));
        }
    }

    let apply = eventless(&["apply", "--quiet", dir.path().to_str().unwrap()]);
    if !apply.status.success() {
        return Err(format!(
            "{name}: apply failed: {}",
            String::from_utf8_lossy(&apply.stderr)
        ));
    }
    let rewritten = std::fs::read_to_string(&copy).unwrap();
    let gone = !rewritten.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("import eventlet") || l.starts_with("from eventlet")
    });
    if expect.eventlet_gone != gone {
        return Err(format!(
            "{name}: expected eventlet gone = {}, got:\n{rewritten}",
            expect.eventlet_gone
        ));
    }
    let python = if gone { &py.plain } else { &py.eventlet };
    let (after, after_code) = execute(python, &copy);
    if (before.as_str(), before_code) != (after.as_str(), after_code) {
        return Err(format!(
            "{name}: behaviour changed\n--- under eventlet (exit {before_code:?})\n{before}\n\
             --- after apply (exit {after_code:?})\n{after}\n--- rewritten program\n{rewritten}"
        ));
    }
    let again = eventless(&["diff", "--check", "--quiet", dir.path().to_str().unwrap()]);
    if again.status.code() != Some(0) {
        return Err(format!(
            "{name}: a second run would change it again:\n{}",
            String::from_utf8_lossy(&again.stdout)
        ));
    }
    Ok(())
}

#[test]
fn programs_behave_the_same_after_apply() {
    let Some(py) = interpreters() else { return };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    programs.sort();
    assert!(!programs.is_empty(), "no programs under {}", dir.display());
    let failures: Vec<String> = programs
        .iter()
        .filter_map(|p| check_program(py, p).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} programs failed:\n\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n\n")
    );
}
