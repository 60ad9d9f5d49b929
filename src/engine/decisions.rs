//! A file's matcher under the programs that run it, and a use's fate.

use super::parsed::Parsed;
use crate::analysis::Use;
use crate::decide::matcher::{Fate, Matcher, Selection, decide_without_code};
use crate::decide::tree_facts::ProjectFacts;
use crate::helpers_home::{Helpers, site};
use crate::python::syntax::Root;
use crate::transform::Catalogue;

/// The matcher of one file: the programs that run it decide.
pub(super) fn matcher<'a>(
    catalogue: &'a Catalogue,
    facts: &'a ProjectFacts,
    selection: &'a Selection,
    helpers: &'a Helpers,
    file: usize,
) -> Matcher<'a> {
    Matcher {
        catalogue,
        context: facts.context(file),
        selection,
        bounds: &facts.bounds,
        patchers: &facts.patchers,
        requirement_floors: &facts.requirement_floors,
        project_name: facts.project_name.as_deref(),
        helpers: site(helpers, file),
        followed: Default::default(),
        reach: Default::default(),
    }
}

/// A use's fate under `matcher`; the file's tree (`root`) is made only if
/// the decision needs the code.
pub(super) fn fate_of<'r, 't: 'r>(
    catalogue: &Catalogue,
    matcher: &Matcher,
    p: &Parsed,
    root: impl Fn() -> &'r Root<'t>,
    u: &Use,
) -> Fate {
    decide_without_code(catalogue, u)
        .unwrap_or_else(|_| matcher.decide(u, root(), &p.source.text, &p.analysis))
}
