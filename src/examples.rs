//! Running the catalogue's examples through the whole engine: the `before`
//! code, as a file of a tree (with the example's `beside` files), must become `after` (or stay as it is
//! when there is no `after`), every API named in `manual` must be reported
//! for a person, and a second run must change nothing. A difference's
//! examples run accepting it alone, and the default level must leave them.
//! The test suite runs
//! the built-in examples; `eventless transforms check` runs a project's too.

use std::collections::HashSet;

use crate::decide::matcher::Selection;
use crate::engine::{self, Options};
use crate::outcome::Action;
use crate::transform::model::Example;
use crate::transform::{Catalogue, DifferenceId};

struct Outcome {
    text: String,
    manual: Vec<String>,
    error: Option<String>,
}

fn run_once(
    catalogue: &Catalogue,
    example: &Example,
    code: &str,
    accepted: &HashSet<DifferenceId>,
) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = example.file.as_deref().unwrap_or("example.py");
    let beside = example.beside.iter().map(|(n, c)| (n.as_str(), c.as_str()));
    for (name, text) in std::iter::once((file, code)).chain(beside) {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(path, text).map_err(|e| e.to_string())?;
    }
    let accepted = accepted.clone();
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
    let example_path = dir.path().join(file);
    let Some(file) = run
        .files
        .into_iter()
        .find(|f| f.source.path == example_path)
    else {
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

/// The differences an example runs with: all for a review example (what
/// `--review` writes), those it names in `accept` (what `--accept` writes),
/// else none (the default).
fn accepted_by(catalogue: &Catalogue, example: &Example) -> HashSet<DifferenceId> {
    match example.review {
        true => (0..catalogue.differences.len()).collect(),
        false => example
            .accept
            .iter()
            .filter_map(|id| catalogue.difference_by_id(id))
            .collect(),
    }
}

fn check_one(
    catalogue: &Catalogue,
    label: &str,
    example: &Example,
    accepted: &HashSet<DifferenceId>,
) -> Result<(), String> {
    let first = run_once(catalogue, example, &example.before, accepted)
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
    let second =
        run_once(catalogue, example, &first.text, accepted).map_err(|e| format!("{label}: {e}"))?;
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
    let mut labelled: Vec<(String, &Example, &Catalogue, HashSet<DifferenceId>)> = Vec::new();
    let name = |e: &Example| e.name.clone().unwrap_or_else(|| "-".into());
    for t in &catalogue.transforms {
        let against = if t.project { catalogue } else { &builtin };
        for (n, e) in t.examples.iter().enumerate() {
            let label = format!("transform '{}' example {} ({})", t.id, n + 1, name(e));
            labelled.push((label, e, against, accepted_by(against, e)));
        }
    }
    for family in &catalogue.families {
        let project = !builtin.families.iter().any(|f| f.file == family.file);
        let against = if project { catalogue } else { &builtin };
        for (n, e) in family.examples.iter().enumerate() {
            let label = format!("{} example {} ({})", family.file, n + 1, name(e));
            labelled.push((label, e, against, accepted_by(against, e)));
        }
    }
    // A difference's examples run accepting it (with the other differences
    // of its form, if any); accepting those others alone, or none, must
    // leave them (else the difference is not what unlocks them).
    let mut failures: Vec<String> = Vec::new();
    for (id, d) in builtin.differences.iter().enumerate() {
        for (n, e) in d.examples.iter().enumerate() {
            let label = format!("difference '{}' example {} ({})", d.id, n + 1, name(e));
            let mut others = HashSet::new();
            for other in &e.accept {
                match builtin.difference_by_id(other) {
                    Some(o) if o != id => {
                        others.insert(o);
                    }
                    _ => failures.push(format!("{label}: accepts '{other}', no other difference")),
                }
            }
            for without in [HashSet::new(), others.clone()] {
                let run = run_once(&builtin, e, &e.before, &without);
                if run.is_ok_and(|o| e.after.as_ref().is_some_and(|after| o.text == *after)) {
                    failures.push(format!("{label}: rewritten without accepting '{}'", d.id));
                    break;
                }
            }
            others.insert(id);
            labelled.push((label, e, &builtin, others));
        }
    }
    failures.extend(
        labelled
            .iter()
            .filter_map(|(label, example, against, accepted)| {
                check_one(against, label, example, accepted).err()
            }),
    );
    (labelled.len(), failures)
}
