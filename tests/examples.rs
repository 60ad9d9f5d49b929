//! Runs every example in the transform catalogue through the whole engine:
//! the `before` code, as the only file of a tree, must become `after` (or
//! stay as it is when there is no `after`), every API named in `manual` must
//! be reported for a person, and a second run must change nothing.

use eventless::engine::{self, Options};
use eventless::rewrite::Action;
use eventless::transform::Catalogue;
use eventless::transform::catalogue::Example;

struct Outcome {
    text: String,
    manual: Vec<String>,
    error: Option<String>,
}

fn run_once(code: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("example.py");
    std::fs::write(&path, code).unwrap();
    let catalogue = Catalogue::builtin().unwrap();
    let options = Options {
        paths: vec![dir.path().to_path_buf()],
        ..Options::default()
    };
    let run = engine::run(&catalogue, &options).unwrap();
    assert!(run.skipped.is_empty(), "skipped: {:?}", run.skipped);
    let Some(file) = run.files.into_iter().next() else {
        return Outcome {
            text: code.to_owned(),
            manual: vec![],
            error: None,
        };
    };
    let manual = file
        .findings
        .iter()
        .filter(|f| f.action == Action::Manual)
        .map(|f| f.api.clone())
        .collect();
    Outcome {
        text: file.new_text.unwrap_or_else(|| code.to_owned()),
        manual,
        error: file.error,
    }
}

fn check(owner: &str, n: usize, example: &Example) -> Result<(), String> {
    let label = format!(
        "{owner} example {} ({})",
        n + 1,
        example.name.as_deref().unwrap_or("-")
    );
    let first = run_once(&example.before);
    if let Some(error) = first.error {
        return Err(format!("{label}: engine error: {error}"));
    }
    let expected = example.after.as_deref().unwrap_or(&example.before);
    if first.text != expected {
        return Err(format!(
            "{label}: rewrite differs\n--- expected\n{expected}\n--- got\n{}",
            first.text
        ));
    }
    for api in &example.manual {
        if !first.manual.contains(api) {
            return Err(format!(
                "{label}: expected '{api}' to be reported as manual; got {:?}",
                first.manual
            ));
        }
    }
    let second = run_once(&first.text);
    if second.text != first.text {
        return Err(format!(
            "{label}: a second run changed the file again:\n{}",
            second.text
        ));
    }
    Ok(())
}

#[test]
fn every_catalogue_example_holds() {
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for t in &catalogue.transforms {
        for (n, example) in t.examples.iter().enumerate() {
            checked += 1;
            if let Err(e) = check(&format!("transform '{}'", t.id), n, example) {
                failures.push(e);
            }
        }
    }
    for family in &catalogue.families {
        for (n, example) in family.examples.iter().enumerate() {
            checked += 1;
            if let Err(e) = check(&format!("{} ", family.file), n, example) {
                failures.push(e);
            }
        }
    }
    assert!(checked > 0, "the catalogue has no examples");
    assert!(
        failures.is_empty(),
        "{} of {checked} examples failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
