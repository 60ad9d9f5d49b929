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
//! # accept: start-order         passed as --accept: review-level rewrites
//! ```
//!
//! The rewrites may have only the differences a program accepts. A
//! difference program, `difference_<id>.py` (with `_` for `-`), shows
//! exactly its own: its output lines that start with `[id]` must differ
//! between the two runs, every other line must stay the same, and its
//! rewrites must report that id (it may accept others too, which the form
//! that has its difference also has, but must not show them); applied
//! without `--accept`, the same program must show no difference at all
//! (the exact forms). Every difference of the catalogue has its program.
//!
//! A program that needs several files is a folder instead, copied whole
//! (bytes as they are) and described by its `run.txt`: the same header
//! lines, plus `# paths: a/b.py other/` (the paths given to eventless,
//! relative to the folder; `.` by default), then one command per line, the
//! interpreter's arguments split on whitespace (`main.py`, `-m pkg.tests.t`),
//! each run in the folder. Its output is every command's standard output and
//! exit status in turn; the rewrites and manual findings are counted over
//! all the files scanned, and eventlet is gone when no file in the folder
//! imports it.
//!
//! The interpreters are provisioned on first use under Cargo's target
//! folder (`python3 -m venv`, then `pip install eventlet futurist
//! oslo.messaging`; the plain one gets futurist alone). Set
//! `EVENTLESS_SKIP_DIFFERENTIAL=1` to skip them deliberately; any failure to
//! provision them otherwise fails the test with the reason.

use std::collections::BTreeSet;
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
    /// Not an expectation: the paths given to eventless, relative to the
    /// program's folder (`.` unless stated).
    paths: Vec<String>,
    /// The behaviour differences accepted (`--accept`), which the program
    /// shows on its `[id]` lines.
    accept: Vec<String>,
}

/// The leading `# key: value` lines of a program (or of a folder's run.txt).
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
            "paths" => expect.paths = value.split_whitespace().map(str::to_owned).collect(),
            "accept" => expect.accept = value.split(',').map(|v| v.trim().to_owned()).collect(),
            _ => {}
        }
    }
    if expect.paths.is_empty() {
        expect.paths.push(".".to_owned());
    }
    expect
}

/// A program copied into a temporary folder, ready to run.
struct Program {
    name: String,
    expect: Expect,
    /// The interpreter's arguments, one list per run.
    commands: Vec<Vec<String>>,
    /// The folder the program runs in, and eventless with it.
    work: PathBuf,
    /// The folder `work` is a copy of (for a single file: the copied file's
    /// folder, of which only that file is copied).
    original: PathBuf,
}

/// Copies the program under `tests/differential/` into `into`: a single
/// file is its own header and its only command; a folder is copied whole,
/// bytes as they are, with its header and commands in `run.txt`.
fn prepare(program: &Path, into: &Path) -> Result<Program, String> {
    let name = program.file_name().unwrap().to_string_lossy().into_owned();
    if program.is_file() {
        std::fs::copy(program, into.join(&name)).map_err(|e| format!("{name}: {e}"))?;
        let source = std::fs::read_to_string(program).unwrap();
        return Ok(Program {
            expect: directives(&source),
            commands: vec![vec![name.clone()]],
            work: into.to_owned(),
            original: program.parent().unwrap().to_owned(),
            name,
        });
    }
    let run_txt = std::fs::read_to_string(program.join("run.txt"))
        .map_err(|e| format!("{name}: a program folder needs a run.txt: {e}"))?;
    let commands: Vec<Vec<String>> = run_txt
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect();
    if commands.is_empty() {
        return Err(format!("{name}: run.txt names no command to run"));
    }
    let work = into.join(&name);
    copy_tree(program, &work).map_err(|e| format!("{name}: cannot copy: {e}"))?;
    Ok(Program {
        expect: directives(&run_txt),
        commands,
        work,
        original: program.to_owned(),
        name,
    })
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The Python files under `dir`, relative to it, sorted.
fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for entry in std::fs::read_dir(dir.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let path = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "py") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Whether the file imports eventlet, whatever its encoding.
fn imports_eventlet(path: &Path) -> bool {
    String::from_utf8_lossy(&std::fs::read(path).unwrap())
        .lines()
        .any(|l| {
            let l = l.trim_start();
            l.starts_with("import eventlet") || l.starts_with("from eventlet")
        })
}

/// Each command's standard output and exit status, in order.
type Runs = Vec<(String, Option<i32>)>;

fn execute(python: &Path, program: &Program) -> Runs {
    program
        .commands
        .iter()
        .map(|args| {
            let out = Command::new(python)
                .args(args)
                .current_dir(&program.work)
                .env("PYTHONDONTWRITEBYTECODE", "1")
                .output()
                .expect("the interpreter runs");
            (
                String::from_utf8_lossy(&out.stdout).into_owned(),
                out.status.code(),
            )
        })
        .collect()
}

fn show(program: &Program, runs: &Runs) -> String {
    let runs = program.commands.iter().zip(runs);
    runs.map(|(args, (stdout, code))| {
        format!("$ python {} (exit {code:?})\n{stdout}", args.join(" "))
    })
    .collect()
}

impl Program {
    /// Runs eventless in the program's folder on the program's paths,
    /// accepting the program's differences.
    fn eventless(&self, args: &[&str]) -> std::process::Output {
        let accept = &self.expect.accept;
        let accept = (!accept.is_empty()).then(|| format!("--accept={}", accept.join(",")));
        Command::new(env!("CARGO_BIN_EXE_eventless"))
            .args(args)
            .args(accept)
            .args(&self.expect.paths)
            .current_dir(&self.work)
            .output()
            .expect("eventless runs")
    }

    /// The Python files that apply changed, whole.
    fn rewritten(&self) -> String {
        let mut shown = String::new();
        for rel in python_files(&self.work) {
            let now = std::fs::read(self.work.join(&rel)).unwrap();
            if std::fs::read(self.original.join(&rel)).is_ok_and(|before| before == now) {
                continue;
            }
            shown += &format!("=== {}\n{}", rel.display(), String::from_utf8_lossy(&now));
        }
        shown
    }
}

/// The output lines that show a named difference (`[id] ...`), and the rest.
fn split_shown(runs: &Runs) -> (Vec<String>, Vec<(String, Option<i32>)>) {
    let mut shown = Vec::new();
    let rest = runs
        .iter()
        .map(|(stdout, code)| {
            let (marked, plain): (Vec<&str>, Vec<&str>) =
                stdout.lines().partition(|l| shown_id(l).is_some());
            shown.extend(marked.into_iter().map(str::to_owned));
            (plain.join("\n"), *code)
        })
        .collect();
    (shown, rest)
}

/// The id of a `[id] ...` line (lower-case words joined by `-`).
fn shown_id(line: &str) -> Option<&str> {
    let (id, _) = line.strip_prefix('[')?.split_once("] ")?;
    let kebab = !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    kebab.then_some(id)
}

/// A program that shows one named difference.
/// The difference a `difference_<id>` program shows, if it is one.
fn shown_difference(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_string_lossy();
    let id = stem.strip_prefix("difference_")?;
    Some(id.replace('_', "-"))
}

fn check_program(py: &Interpreters, path: &Path) -> Result<(), String> {
    check_run(py, path, true)?;
    // The exact forms of a difference program show no difference at all.
    if shown_difference(path).is_some() {
        check_run(py, path, false)?;
    }
    Ok(())
}

fn check_run(py: &Interpreters, path: &Path, with_accept: bool) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let mut program = prepare(path, dir.path())?;
    let exact_only = !with_accept;
    if exact_only {
        program.expect.accept.clear();
        program.expect.rewrites = None;
        program.name += " (exact forms only)";
    }
    let must_show = shown_difference(path).filter(|_| with_accept);
    let Program { name, expect, .. } = &program;

    let before = execute(&py.eventlet, &program);
    if before.iter().any(|(_, code)| *code != Some(0)) {
        return Err(format!(
            "{name}: fails under eventlet itself:\n{}",
            show(&program, &before)
        ));
    }
    let scan = program.eventless(&["scan", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&scan.stdout)
        .map_err(|e| format!("{name}: scan output is not JSON: {e}"))?;
    let findings: Vec<serde_json::Value> = report["files"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|file| {
            let findings = file["findings"].as_array().cloned().unwrap_or_default();
            findings.into_iter().map(|mut f| {
                f["path"] = file["path"].clone();
                f
            })
        })
        .collect();
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

    let apply = program.eventless(&["apply", "--quiet"]);
    if !apply.status.success() {
        return Err(format!(
            "{name}: apply failed: {}",
            String::from_utf8_lossy(&apply.stderr)
        ));
    }
    let still: Vec<PathBuf> = python_files(&program.work)
        .into_iter()
        .filter(|rel| imports_eventlet(&program.work.join(rel)))
        .collect();
    let gone = still.is_empty();
    if expect.eventlet_gone != gone && !exact_only {
        return Err(format!(
            "{name}: expected eventlet gone = {}, still imported by {still:?}; rewritten:\n{}",
            expect.eventlet_gone,
            program.rewritten()
        ));
    }
    let python = if gone { &py.plain } else { &py.eventlet };
    let after = execute(python, &program);
    let (shown_before, rest_before) = split_shown(&before);
    let (shown_after, rest_after) = split_shown(&after);
    let reported: BTreeSet<String> = findings
        .iter()
        .filter(|f| f["action"] == "rewrite")
        .flat_map(|f| f["differences"].as_array().cloned().unwrap_or_default())
        .filter_map(|d| d.as_str().map(str::to_owned))
        .collect();
    let accepted: BTreeSet<String> = expect.accept.iter().cloned().collect();
    let shows_own = |ids: &BTreeSet<String>| must_show.as_ref().is_none_or(|own| ids.contains(own));
    if !reported.is_subset(&accepted) || !shows_own(&reported) {
        return Err(format!(
            "{name}: the rewrites report differences {reported:?}; the program accepts {accepted:?}"
        ));
    }
    let shown: BTreeSet<String> = shown_before
        .iter()
        .chain(&shown_after)
        .filter_map(|l| shown_id(l).map(str::to_owned))
        .collect();
    // Equal output is always right, except where a difference must show;
    // otherwise only the [id] lines of accepted differences may differ. A
    // difference program shows its own and no other, even one it accepts
    // because the form that has its difference has that one too.
    let shows_it = before != after && must_show.iter().cloned().collect::<BTreeSet<_>>() == shown;
    let only_them = shown.is_subset(&accepted) && rest_before == rest_after;
    if (before != after && !only_them) || (must_show.is_some() && !shows_it) {
        return Err(format!(
            "{name}: behaviour changed; expected {} the differences {accepted:?} on their \
             [id] lines\n--- under eventlet\n{}\n--- after apply\n{}\n--- rewritten program\n{}",
            if must_show.is_some() {
                "exactly"
            } else {
                "at most"
            },
            show(&program, &before),
            show(&program, &after),
            program.rewritten()
        ));
    }
    let again = program.eventless(&["diff", "--check", "--quiet"]);
    if again.status.code() != Some(0) {
        return Err(format!(
            "{name}: a second run would change it again:\n{}",
            String::from_utf8_lossy(&again.stdout)
        ));
    }
    Ok(())
}

#[test]
fn every_difference_has_its_program() {
    let catalogue = eventless::transform::Catalogue::builtin().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential");
    for difference in &catalogue.differences {
        let stem = format!("difference_{}", difference.id.replace('-', "_"));
        let header = std::fs::read_to_string(dir.join(format!("{stem}.py")))
            .or_else(|_| std::fs::read_to_string(dir.join(&stem).join("run.txt")))
            .unwrap_or_else(|_| panic!("difference '{}' has no program {stem}", difference.id));
        assert!(
            directives(&header).accept.contains(&difference.id),
            "{stem} accepts the difference it shows"
        );
    }
}

#[test]
fn programs_behave_the_same_after_apply() {
    let Some(py) = interpreters() else { return };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            if p.is_dir() {
                p.file_name().is_some_and(|n| n != "__pycache__")
            } else {
                p.extension().is_some_and(|e| e == "py")
            }
        })
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
