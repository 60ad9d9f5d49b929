//! The SARIF report as code scanning takes it, on `tests/fixtures/sarif_tree`
//! (uses rewritten, uses left for a person, a file that does not parse):
//! valid against the official SARIF 2.1.0 schema, a documentation link on
//! every rule, and fixes that, applied, write what `eventless apply` writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const MIGRATION_GUIDE: &str = "https://eventlet.readthedocs.io/en/latest/asyncio/migration.html";

/// The fixture tree, copied where `apply` may write.
fn tree() -> tempfile::TempDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif_tree");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

fn eventless(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(args)
        .arg("--no-cache")
        .current_dir(dir)
        .output()
        .expect("eventless runs");
    String::from_utf8(out.stdout).unwrap()
}

fn scan(dir: &Path) -> Value {
    serde_json::from_str(&eventless(dir, &["scan", "--format", "sarif", "."])).unwrap()
}

fn cargo(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The official SARIF 2.1.0 schema, from the serde-sarif package that the
/// build fetched (cargo knows where, offline for the packages this
/// platform builds).
fn official_schema() -> Value {
    let version = cargo(&["-vV"]);
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .unwrap();
    let metadata: Value = serde_json::from_str(&cargo(&[
        "metadata",
        "--format-version=1",
        "--offline",
        "--filter-platform",
        host,
    ]))
    .unwrap();
    let package = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .expect("serde-sarif is a dev-dependency");
    let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap());
    let text = std::fs::read_to_string(manifest.with_file_name("src/schema.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    drop_language_pattern(&mut schema);
    schema
}

/// The schema's pattern for `language` has a stray ']' that no regex
/// engine compiles; eventless writes no `language`, so it is left out and
/// every other constraint kept.
fn drop_language_pattern(schema: &mut Value) {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match schema {
        Value::Object(map) => {
            if map.get("pattern").is_some_and(|p| p == BROKEN) {
                map.remove("pattern");
            }
            map.values_mut().for_each(drop_language_pattern);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_language_pattern),
        _ => {}
    }
}

#[test]
fn the_report_is_valid_sarif_2_1_0() {
    let dir = tree();
    let sarif = scan(dir.path());
    let validator = jsonschema::validator_for(&official_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The schema is checked, not only read: a fix without its changes fails.
    let mut broken = sarif.clone();
    let fixed = broken["runs"][0]["results"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r.get("fixes").is_some())
        .expect("a result with a fix");
    fixed["fixes"][0]
        .as_object_mut()
        .unwrap()
        .remove("artifactChanges");
    assert!(!validator.is_valid(&broken));
    // The file that does not parse is reported, not left out.
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "broken.py"
    );
    assert_eq!(sarif["runs"][0]["columnKind"], "utf16CodeUnits");
}

#[test]
fn every_rule_links_its_documentation() {
    let dir = tree();
    let sarif = scan(dir.path());
    let links: BTreeMap<&str, &str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
            assert!(!rule["help"]["markdown"].as_str().unwrap().is_empty());
            (
                rule["id"].as_str().unwrap(),
                rule["helpUri"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        links,
        BTreeMap::from([
            ("eventlet.debug.spew", MIGRATION_GUIDE),
            (
                "eventlet.greenthread.sleep",
                "https://docs.python.org/3/library/time.html#time.sleep"
            ),
            (
                "eventlet.queue.Queue",
                "https://docs.python.org/3/library/queue.html#queue.Queue"
            ),
        ])
    );
}

/// The replacements of every fix in the report, by file.
fn replacements(sarif: &Value) -> BTreeMap<String, Vec<Value>> {
    let mut by_file: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        for fix in result["fixes"].as_array().into_iter().flatten() {
            for change in fix["artifactChanges"].as_array().unwrap() {
                let uri = change["artifactLocation"]["uri"].as_str().unwrap();
                let made = change["replacements"].as_array().unwrap();
                by_file
                    .entry(uri.to_owned())
                    .or_default()
                    .extend(made.clone());
            }
        }
    }
    by_file
}

/// The byte offset of a SARIF line and column (UTF-16 code units).
fn offset(text: &str, region: &Value, line: &str, column: &str) -> usize {
    let line = region[line].as_u64().unwrap() as usize;
    let column = region[column].as_u64().unwrap() as usize;
    let start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let mut units = 0;
    let mut bytes = start;
    for c in text[start..].chars() {
        if units == column - 1 {
            break;
        }
        units += c.len_utf16();
        bytes += c.len_utf8();
    }
    bytes
}

/// `text` with the replacements made, the last first.
fn apply(text: &str, replacements: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = replacements
        .iter()
        .map(|r| {
            let region = &r["deletedRegion"];
            (
                offset(text, region, "startLine", "startColumn"),
                offset(text, region, "endLine", "endColumn"),
                r["insertedContent"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|&(start, ..)| std::cmp::Reverse(start));
    let mut out = text.to_owned();
    for (start, end, inserted) in spans {
        out.replace_range(start..end, inserted);
    }
    out
}

#[test]
fn the_fixes_applied_write_what_apply_writes() {
    let dir = tree();
    let sarif = scan(dir.path());
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    // Rewritten uses carry fixes; uses left for a person do not.
    for result in results {
        let rewritten = result["level"] == "note";
        assert_eq!(result.get("fixes").is_some(), rewritten, "{result}");
    }
    let by_file = replacements(&sarif);
    assert_eq!(
        by_file.keys().collect::<Vec<_>>(),
        ["service.py", "worker.py"]
    );
    let before: BTreeMap<&String, String> = by_file
        .keys()
        .map(|file| {
            (
                file,
                std::fs::read_to_string(dir.path().join(file)).unwrap(),
            )
        })
        .collect();
    eventless(dir.path(), &["apply", "."]);
    for (file, made) in &by_file {
        let written = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert_ne!(written, before[file], "apply rewrites {file}");
        assert_eq!(apply(&before[file], made), written, "{file}");
    }
}

#[test]
fn columns_count_utf16_code_units() {
    let dir = tree();
    let sarif = scan(dir.path());
    let sleep = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"] == 10)
        .expect("the sleep after the snake");
    // `    label = "délai 🐍"; ` is 23 characters, 24 code units: 🐍 takes two.
    let region = &sleep["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 25);
    // The use is `eventlet.sleep`, 14 code units, on the same line.
    assert_eq!(region["endLine"], 10);
    assert_eq!(region["endColumn"], 39);
}

/// Code scanning tools match results across commits by their fingerprints:
/// lines added above a use move it, but do not change its fingerprint, and
/// two uses on identical lines have different ones.
#[test]
fn fingerprints_survive_lines_added_above() {
    let fingerprints = |sarif: &Value| -> Vec<(String, u64)> {
        let mut found: Vec<(String, u64)> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let fingerprint = r["partialFingerprints"]["eventlessUse/v1"]
                    .as_str()
                    .expect("every result has a fingerprint")
                    .to_owned();
                let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap();
                (fingerprint, line)
            })
            .collect();
        found.sort();
        found
    };
    let dir = tree();
    let before = fingerprints(&scan(dir.path()));
    let unique: std::collections::BTreeSet<&String> = before.iter().map(|(f, _)| f).collect();
    assert_eq!(unique.len(), before.len(), "{before:?}");
    for name in ["worker.py", "service.py"] {
        let path = dir.path().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("# Copyright line added.\n\n{text}")).unwrap();
    }
    let after = fingerprints(&scan(dir.path()));
    let moved: Vec<(String, u64)> = before.iter().map(|(f, l)| (f.clone(), l + 2)).collect();
    assert_eq!(after, moved);
}
