//! Running the catalogue's examples through the whole engine: the `before`
//! code, as the only file of a tree, must become `after` (or stay as it is
//! when there is no `after`), every API named in `manual` must be reported
//! for a person, and a second run must change nothing. The test suite runs
//! the built-in examples; `eventless transforms check` runs a project's too.

use crate::decide::matcher::Selection;
use crate::engine::{self, Options};
use crate::outcome::Action;
use crate::transform::Catalogue;
use crate::transform::model::Example;

struct Outcome {
    text: String,
    manual: Vec<String>,
    error: Option<String>,
}

fn run_once(
    catalogue: &Catalogue,
    file: &str,
    code: &str,
    review: bool,
) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join(file), code).map_err(|e| e.to_string())?;
    // A review example shows what `--review` writes; the others, the default.
    let accepted = match review {
        true => (0..catalogue.differences.len()).collect(),
        false => Default::default(),
    };
    let options = Options {
        paths: vec![dir.path().to_path_buf()],
        selection: Selection {
            accepted,
            ..Selection::default()
        },
        ..Options::default()
    };
    let run = engine::run(catalogue, &options).map_err(|e| e.to_string())?;
    if let Some(skipped) = run.skipped.first() {
        return Err(format!("the example was skipped: {}", skipped.reason));
    }
    let Some(file) = run.files.into_iter().next() else {
        return Ok(Outcome {
            text: code.to_owned(),
            manual: vec![],
            error: None,
        });
    };
    let manual = file
        .findings
        .iter()
        .filter(|f| f.action == Action::Manual)
        .map(|f| f.api.clone())
        .collect();
    Ok(Outcome {
        text: file.new_text.unwrap_or_else(|| code.to_owned()),
        manual,
        error: file.error,
    })
}

fn check_one(catalogue: &Catalogue, label: &str, example: &Example) -> Result<(), String> {
    let file = example.file.as_deref().unwrap_or("example.py");
    let first = run_once(catalogue, file, &example.before, example.review)
        .map_err(|e| format!("{label}: {e}"))?;
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
    let second = run_once(catalogue, file, &first.text, example.review)
        .map_err(|e| format!("{label}: {e}"))?;
    if second.text != first.text {
        return Err(format!(
            "{label}: a second run changed the file again:\n{}",
            second.text
        ));
    }
    Ok(())
}

/// Checks every example; returns how many ran and the failures. A project's
/// examples run with its catalogue, the built-in ones with the built-in
/// catalogue they document (a project transform may rightly change them).
pub fn check_all(catalogue: &Catalogue) -> (usize, Vec<String>) {
    let builtin = Catalogue::builtin().expect("the built-in catalogue loads");
    let mut labelled: Vec<(String, &Example, &Catalogue)> = Vec::new();
    for t in &catalogue.transforms {
        let against = if t.project { catalogue } else { &builtin };
        for (n, e) in t.examples.iter().enumerate() {
            labelled.push((
                format!(
                    "transform '{}' example {} ({})",
                    t.id,
                    n + 1,
                    e.name.as_deref().unwrap_or("-")
                ),
                e,
                against,
            ));
        }
    }
    for family in &catalogue.families {
        let project = !builtin.families.iter().any(|f| f.file == family.file);
        let against = if project { catalogue } else { &builtin };
        for (n, e) in family.examples.iter().enumerate() {
            labelled.push((
                format!(
                    "{} example {} ({})",
                    family.file,
                    n + 1,
                    e.name.as_deref().unwrap_or("-")
                ),
                e,
                against,
            ));
        }
    }
    let failures = labelled
        .iter()
        .filter_map(|(label, example, against)| check_one(against, label, example).err())
        .collect();
    (labelled.len(), failures)
}
