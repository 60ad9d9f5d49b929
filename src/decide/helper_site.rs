//! Where the helpers a file's rewrites call are defined, and how the file
//! calls them. A project with a shared helpers module defines each helper
//! once, there, under its public name (without the leading underscore,
//! since other modules import it), and every other file calls it through
//! the module, imported the OpenStack way: `from pkg import
//! threading_helpers`, then `threading_helpers.spawn_future(...)`. A
//! project without one defines each helper in every file that calls it.
//! A definition a file already has (from an earlier run) is used as it is.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tree_sitter::Node;

use crate::python::bindings::{Bindings, Reads};
use crate::python::helpers::definition;
use crate::python::module_names::{ModuleRef, name_module};
use crate::python::parse::{first_syntax_error, parse};
use crate::python::syntax::text;
use crate::transform::Catalogue;
use crate::transform::model::Helper;

/// The project's shared helpers module, as the files that call it see it.
#[derive(Debug)]
pub struct SharedHelpers {
    /// How a template would name it: `package:module`, or `module` for a
    /// top-level one.
    pub spec: String,
    /// Why a helper cannot be called from it, by helper name; every other
    /// one is defined there already, or the run adds it.
    blocked: HashMap<String, String>,
}

impl SharedHelpers {
    /// The module `dotted` at `path`, holding `text` (`None`: there is no
    /// such file yet; `Err`: why it cannot be read); `writable` when it
    /// lies within the paths given, so that the run may add to it.
    pub fn new(
        catalogue: &Catalogue,
        dotted: &str,
        path: &Path,
        text: Result<Option<&str>, String>,
        writable: bool,
    ) -> SharedHelpers {
        let path = path.display();
        let existing: Option<&str> = text.as_ref().ok().copied().flatten();
        let tree = existing.map(parse);
        let problem = match (&text, &tree) {
            (Err(why), _) => Some(why.clone()),
            (_, Some(tree)) if first_syntax_error(tree).is_some() => {
                Some("has a syntax error".to_owned())
            }
            _ => None,
        };
        let existing = tree.as_ref().zip(existing);
        let bindings = existing.map(|(tree, text)| Bindings::analyze(tree, text));
        let reason = |helper: &Helper| -> Option<String> {
            let public = helper.public_name();
            if let Some(why) = &problem {
                return Some(format!("the helpers module {path} {why}"));
            }
            if let (Some((tree, text)), Some(bindings)) = (existing, &bindings) {
                if defines(helper, true, tree.root_node(), text, bindings) {
                    return None;
                }
                if bindings.times_bound(public) > 0 {
                    return Some(format!(
                        "the helpers module {path} binds '{public}' to something else than \
                         the helper"
                    ));
                }
            }
            (!writable).then(|| {
                format!(
                    "the helper '{public}' goes in {path}, the project's helpers module, \
                     which is outside the paths given: add it to them"
                )
            })
        };
        let blocked = catalogue
            .helpers
            .iter()
            .filter_map(|h| Some((h.name.clone(), reason(h)?)))
            .collect();
        SharedHelpers {
            spec: spec(dotted),
            blocked,
        }
    }

    /// The module `dotted`, which cannot be found (`why`): no helper can be
    /// called from it.
    pub fn unavailable(catalogue: &Catalogue, dotted: &str, why: &str) -> SharedHelpers {
        let blocked = catalogue
            .helpers
            .iter()
            .map(|h| (h.name.clone(), why.to_owned()))
            .collect();
        SharedHelpers {
            spec: spec(dotted),
            blocked,
        }
    }
}

/// How a template would name the module `dotted`: `package:module`, or
/// `module` for a top-level one.
fn spec(dotted: &str) -> String {
    match dotted.rsplit_once('.') {
        Some((package, module)) => format!("{package}:{module}"),
        None => dotted.to_owned(),
    }
}

/// Where a file's helpers are defined.
#[derive(Debug, Clone, Copy)]
pub enum HelperSite<'a> {
    /// In the file itself: the project has no shared helpers module.
    InFile,
    /// The file is the shared helpers module.
    Home,
    /// In the shared helpers module, another file.
    Shared(&'a SharedHelpers),
}

/// How a file calls a helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// By its name in the file (its public name, with `public`); `new` when
    /// the rewrite defines it there.
    InFile { public: bool, new: bool },
    /// As `module.public_name`, from the shared helpers module.
    FromModule,
}

impl Call {
    /// The name the file calls the helper by, when it is defined there.
    pub fn name_in_file(self, helper: &Helper) -> Option<&str> {
        match self {
            Call::InFile { public, .. } => Some(helper.defined_name(public)),
            Call::FromModule => None,
        }
    }
}

impl HelperSite<'_> {
    /// How the file calls `helper`, or why it cannot: a name the
    /// definition would take is bound to something else, or the shared
    /// module cannot hold it.
    pub fn call(
        &self,
        helper: &Helper,
        root: Node,
        source: &str,
        bindings: &Bindings,
    ) -> Result<Call, String> {
        match self {
            HelperSite::InFile => in_file(helper, false, root, source, bindings),
            HelperSite::Home => in_file(helper, true, root, source, bindings),
            HelperSite::Shared(shared) => {
                if let Ok(call @ Call::InFile { new: false, .. }) =
                    in_file(helper, false, root, source, bindings)
                {
                    return Ok(call);
                }
                match shared.blocked.get(&helper.name) {
                    Some(why) => Err(why.clone()),
                    None => Ok(Call::FromModule),
                }
            }
        }
    }

    /// The top-level package of the project's shared helpers module, when
    /// another file holds it: an import of it is one of the project's own.
    pub fn project_package(&self) -> Option<&str> {
        match self {
            HelperSite::Shared(shared) => shared.spec.split([':', '.']).next(),
            HelperSite::InFile | HelperSite::Home => None,
        }
    }

    /// The names the rewrite may bind to import the shared module here,
    /// which a file's analysis must look at.
    pub fn names_considered(&self) -> Vec<String> {
        match self {
            HelperSite::Shared(shared) => ModuleRef::parse(&shared.spec).names_considered(),
            HelperSite::InFile | HelperSite::Home => Vec::new(),
        }
    }
}

/// A helper defined in the file, under its public name or not: its name
/// must be free, or bound only by the same definition.
fn in_file(
    helper: &Helper,
    public: bool,
    root: Node,
    source: &str,
    bindings: &Bindings,
) -> Result<Call, String> {
    let name = helper.defined_name(public);
    match bindings.times_bound(name) {
        0 => Ok(Call::InFile { public, new: true }),
        1 if defines(helper, public, root, source, bindings) => {
            Ok(Call::InFile { public, new: false })
        }
        _ => Err(format!(
            "the name '{name}' of the helper this rewrite defines is already used in the file"
        )),
    }
}

/// Whether the module defines `helper` at its top level exactly as a
/// rewrite would (in its public form, with `public`).
pub fn defines(
    helper: &Helper,
    public: bool,
    root: Node,
    source: &str,
    bindings: &Bindings,
) -> bool {
    definition(root, source, helper.defined_name(public)).is_some_and(|def| {
        // Named as the helper's body reads the module: a binding elsewhere
        // (a parameter of another function) leaves the import's name free.
        let read = [def.start_byte()];
        let expected = helper.render(
            |m| {
                let module = ModuleRef::parse(m);
                name_module(
                    module,
                    bindings,
                    Reads::At(&read),
                    &HashSet::new(),
                    &[],
                    &[],
                )
                .0
            },
            public,
        );
        text(def, source).replace("\r\n", "\n") == expected
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module that imports what `_spawn_future` needs and defines it (in
    /// its public form, with `public`).
    fn defining(public: bool) -> String {
        let catalogue = Catalogue::builtin().unwrap();
        let helper = catalogue.helper("_spawn_future").unwrap();
        let code = helper.render(|m| m.to_owned(), public);
        format!("import concurrent.futures\nimport threading\n\n\n{code}\n")
    }

    /// How a file with `source` calls `_spawn_future` at `site`.
    fn call(site: HelperSite, source: &str) -> Result<Call, String> {
        let catalogue = Catalogue::builtin().unwrap();
        let helper = catalogue.helper("_spawn_future").unwrap();
        let tree = parse(source);
        let bindings = Bindings::analyze(&tree, source);
        site.call(helper, tree.root_node(), source, &bindings)
    }

    fn shared(text: Option<&str>, writable: bool) -> SharedHelpers {
        let catalogue = Catalogue::builtin().unwrap();
        let path = Path::new("pkg/threading_helpers.py");
        SharedHelpers::new(
            &catalogue,
            "pkg.threading_helpers",
            path,
            Ok(text),
            writable,
        )
    }

    #[test]
    fn a_file_calls_the_shared_module_unless_it_cannot_hold_the_helper() {
        let user = "import eventlet\n";
        assert_eq!(
            call(HelperSite::Shared(&shared(None, true)), user),
            Ok(Call::FromModule)
        );
        let defined = defining(true);
        let kept = shared(Some(&defined), false);
        assert_eq!(call(HelperSite::Shared(&kept), user), Ok(Call::FromModule));
        let outside = call(HelperSite::Shared(&shared(None, false)), user).unwrap_err();
        assert!(outside.contains("outside the paths given"), "{outside}");
        let taken = shared(Some("spawn_future = None\n"), true);
        let why = call(HelperSite::Shared(&taken), user).unwrap_err();
        assert!(
            why.contains("binds 'spawn_future' to something else"),
            "{why}"
        );
    }

    #[test]
    fn a_definition_in_the_file_is_used_and_a_name_taken_is_refused() {
        let own = defining(false);
        let blocked = shared(Some("spawn_future = None\n"), true);
        assert_eq!(
            call(HelperSite::Shared(&blocked), &own),
            Ok(Call::InFile {
                public: false,
                new: false
            })
        );
        assert_eq!(
            call(HelperSite::Home, "import eventlet\n"),
            Ok(Call::InFile {
                public: true,
                new: true
            })
        );
        let why = call(HelperSite::InFile, "_spawn_future = 1\n").unwrap_err();
        assert!(why.contains("'_spawn_future'"), "{why}");
    }
}
