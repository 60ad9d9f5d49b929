//! Where the run's helpers are defined: the shared helpers module, or the
//! files that use them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::rewritten::Rewritten;
use crate::analysis::UseKind;
use crate::helpers_home::Helpers;
use crate::outcome::{
    Action, FileResult, HelperPlaces, HelpersModule, KeptFor, MovedHelpers, RunResult,
};
use crate::plan::helpers_module::with_definitions;
use crate::project::helpers_module::{HelpersPlace, nearer_callers, outside_its_package};
use crate::transform::Catalogue;

/// Where the run's helpers are defined. The shared helpers module gets
/// the helpers the rewrites call from it that it lacks: the new text of
/// its file, when that is one of those rewritten, or its result to add to
/// the run's (new text, or a new file with its neighbours' license
/// header); if it cannot take them, the files that call them stay as they
/// are. Without a shared module, the helpers defined in more than one file
/// are named.
pub(super) fn place_helpers(
    helpers: &Helpers,
    rewritten: &mut [Rewritten],
    catalogue: &Catalogue,
) -> (HelperPlaces, Option<FileResult>) {
    let changed = |r: &Rewritten| r.result.new_text.is_some();
    let home = match helpers {
        Helpers::Module(home) => home,
        Helpers::InFiles => {
            let places = HelperPlaces {
                repeated: repeated_helpers(rewritten.iter().filter(|r| changed(r))),
                ..HelperPlaces::default()
            };
            return (places, None);
        }
        Helpers::Unavailable(why, _) => {
            let places = HelperPlaces {
                unavailable: Some(why.clone()),
                ..HelperPlaces::default()
            };
            return (places, None);
        }
    };
    let callers: Vec<usize> = (0..rewritten.len())
        .filter(|&i| changed(&rewritten[i]) && !rewritten[i].helpers_from_module.is_empty())
        .collect();
    let called: BTreeSet<&str> = callers
        .iter()
        .flat_map(|&i| rewritten[i].helpers_from_module.iter().map(String::as_str))
        .collect();
    let helpers = catalogue.helpers_needed(called);
    if helpers.is_empty() {
        return (HelperPlaces::default(), None);
    }
    let fresh = home.unchanged();
    let own = rewritten.iter().position(|r| Some(r.file) == home.file);
    let module = own.map_or(&fresh, |i| &rewritten[i].result);
    let before = match (&module.new_text, module.created) {
        (Some(text), _) => text.clone(),
        (None, true) => home.new_module(),
        (None, false) => module.source.text.clone(),
    };
    let path = &home.location.path;
    let defined = match &module.error {
        Some(why) => Err(format!("its own rewrite failed: {why}")),
        None => with_definitions(&before, module.source.newline, &helpers),
    };
    let (text, defined) = match defined {
        Ok(defined) => defined,
        Err(why) => {
            for &i in &callers {
                let caller = &mut rewritten[i].result;
                caller.new_text = None;
                caller.error = Some(format!(
                    "the helpers module {} cannot take the helpers this file calls ({why}); \
                     file left unchanged",
                    path.display()
                ));
            }
            return (HelperPlaces::default(), None);
        }
    };
    // What its own rewrite defined (the module uses eventlet too), and
    // what the others need.
    let own_defined = own.iter().flat_map(|&i| &rewritten[i].helpers_defined);
    let added: Vec<String> = own_defined
        .filter_map(|name| catalogue.helper(name))
        .chain(defined)
        .map(|h| h.public_name().to_owned())
        .collect();
    let places = HelperPlaces {
        module: (!added.is_empty()).then(|| HelpersModule {
            path: path.clone(),
            added,
            callers: callers
                .iter()
                .map(|&i| rewritten[i].result.source.path.clone())
                .collect(),
        }),
        ..HelperPlaces::default()
    };
    let new_text = (text != module.source.text).then_some(text);
    match own {
        Some(i) => {
            rewritten[i].result.new_text = new_text;
            (places, None)
        }
        None => {
            let result = new_text.map(|text| FileResult {
                new_text: Some(text),
                ..fresh
            });
            (places, result)
        }
    }
}

/// What becomes of a new default helpers module that only tests and tools
/// would import, or only one file.
pub(super) enum Nearer {
    /// It is made where it is (or there is none such).
    Here,
    /// The helpers go nearer their callers.
    Moved(MovedHelpers),
    /// It stays where it is, for this reason.
    KeptFor(KeptFor),
}

/// What becomes of the new default helpers module `run` makes (a run over
/// the whole project), when only tests and tools would import it, or only
/// one file: a module made for one caller is one a reviewer asks to fold
/// into it.
pub(super) fn nearer_helpers(run: &RunResult, catalogue: &Catalogue) -> Nearer {
    let Some(module) = &run.helpers.module else {
        return Nearer::Here;
    };
    let Some(project) = run.project.as_ref().filter(|p| p.paths.is_none()) else {
        return Nearer::Here;
    };
    let root = &project.root;
    let created = run
        .files
        .iter()
        .any(|f| f.created && f.source.path == module.path);
    if !created {
        return Nearer::Here;
    }
    let to = match nearer_callers(root, &module.path, &module.callers) {
        Some(to) => to,
        None if module.callers.len() == 1 => HelpersPlace::InFiles,
        None => return Nearer::Here,
    };
    // Whether a transform that would take the code's use (a suppressed one
    // names none; a mock calls no helper) calls one of the module's
    // helpers, or a helper that calls one.
    let needs_the_module = |api: &str| {
        catalogue.api(api).is_some_and(|api| {
            catalogue.transforms_for(api).iter().any(|&t| {
                catalogue
                    .helpers_needed(catalogue.transforms[t].helpers())
                    .iter()
                    .any(|h| module.added.iter().any(|added| added == h.public_name()))
            })
        })
    };
    // Helpers defined in a file serve it alone: a use left anywhere would
    // later need them elsewhere. Beside the tests, it is the package's code
    // that would need them in the default module.
    let may_need_them = |path: &std::path::Path| {
        to == HelpersPlace::InFiles || !outside_its_package(root, &module.path, path)
    };
    let kept = run
        .files
        .iter()
        .filter(|f| may_need_them(&f.source.path))
        .find_map(|f| {
            let x = f
                .findings
                .iter()
                .filter(|x| x.action == Action::Manual && x.kind != UseKind::MockTarget)
                .find(|x| needs_the_module(&x.api))?;
            Some(format!("{}:{}", f.source.path.display(), x.line))
        });
    match kept {
        Some(site) => Nearer::KeptFor(KeptFor::Use(site)),
        None => Nearer::Moved(MovedHelpers {
            from: module.path.clone(),
            to,
        }),
    }
}

/// A file of `run` (made with helpers in the files that call them) whose
/// helper definition names a module otherwise than a new module would:
/// the file binds that name to another module (`from eventlet.green import
/// socket`), so the helper imports it under an alias.
pub(super) fn helper_with_alias(run: &RunResult, catalogue: &Catalogue) -> Option<PathBuf> {
    run.files.iter().find_map(|f| {
        let text = f.new_text.as_ref()?.replace("\r\n", "\n");
        let aliased = catalogue.helpers.iter().any(|h| {
            text.contains(&format!("def {}(", h.name))
                && !text.contains(&h.render(|m| m.replace(':', "."), false))
        });
        aliased.then(|| f.source.path.clone())
    })
}

/// The helpers defined in more than one of `files`, with those files.
pub(super) fn repeated_helpers<'r>(
    files: impl Iterator<Item = &'r Rewritten>,
) -> Vec<(String, Vec<PathBuf>)> {
    let mut defined_in: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    for r in files {
        for helper in &r.helpers_defined {
            let files = defined_in.entry(helper).or_default();
            files.push(r.result.source.path.clone());
        }
    }
    defined_in
        .into_iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(helper, files)| (helper.to_owned(), files))
        .collect()
}
