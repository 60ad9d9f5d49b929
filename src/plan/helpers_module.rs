//! The text of the project's shared helpers module: a new one opens with
//! the license header of its neighbours and a docstring; an existing one
//! keeps what it has. Either gets the definitions of the helpers the run
//! calls from it that it lacks, each under its public name, with the
//! imports it needs, where a rewrite puts them in any file.

use std::collections::{HashMap, HashSet};

use crate::decide::helper_site::defines;
use crate::edit;
use crate::plan::imports::imports_added;
use crate::python::bindings::Bindings;
use crate::python::helpers::insertion;
use crate::python::imports::insertions;
use crate::python::parse::{first_syntax_error, parse};
use crate::transform::model::Helper;

const DOCSTRING: &str = "\"\"\"Helpers shared by this project's modules.

Each does what no single standard library call does.
\"\"\"
";

/// A new helpers module before its definitions: `header` (the license
/// comment of its neighbours), then the docstring.
pub fn new_module(header: Option<&str>) -> String {
    match header {
        Some(header) => format!("{header}\n{DOCSTRING}"),
        None => DOCSTRING.to_owned(),
    }
}

/// `text` with the definitions of `helpers` (each after those it calls)
/// that it lacks, and those it gets; an error when a name one takes is
/// bound to something else, or the result would not parse.
pub fn with_definitions<'h>(
    text: &str,
    newline: &str,
    helpers: &[&'h Helper],
) -> Result<(String, Vec<&'h Helper>), String> {
    let tree = parse(text);
    let root = tree.root_node();
    let bindings = Bindings::analyze(&tree, text);
    let mut missing = Vec::new();
    for helper in helpers {
        if defines(helper, true, root, text, &bindings) {
            continue;
        }
        if bindings.times_bound(helper.public_name()) > 0 {
            return Err(format!(
                "'{}' is bound to something else than the helper",
                helper.public_name()
            ));
        }
        missing.push(*helper);
    }
    if missing.is_empty() {
        return Ok((text.to_owned(), missing));
    }
    let modules = missing.iter().flat_map(|h| h.code.modules()).collect();
    let (names, imports): (HashMap<&str, String>, _) = imports_added(
        modules,
        None,
        &bindings,
        &HashSet::new(),
        Vec::new(),
        &[],
        &[],
    );
    let (mut edits, _) = insertions(root, text, newline, &imports, &[], None);
    for helper in &missing {
        let code = helper.render(|m| names[m].clone(), true);
        let end = text.len();
        edits.push(insertion(root, text, newline, end, &code, &edits));
    }
    let extended = edit::apply(text, edits)?;
    match first_syntax_error(&parse(&extended)) {
        Some(_) => Err("the definitions would not parse".into()),
        None => Ok((extended, missing)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform::Catalogue;

    #[test]
    fn a_new_module_gets_the_header_the_docstring_and_each_definition_once() {
        let catalogue = Catalogue::builtin().unwrap();
        let pile = catalogue.helper("_GreenPile").unwrap();
        let needed = catalogue.helpers_needed([pile.name.as_str()]);
        let text = new_module(Some("# Licensed under the Apache License.\n"));
        let (module, added) = with_definitions(&text, "\n", &needed).unwrap();
        assert_eq!(added.len(), 2);
        assert!(
            module.starts_with(&format!(
                "# Licensed under the Apache License.\n\n{DOCSTRING}\nimport collections\n\
                 import concurrent.futures\nimport traceback\n\n\ndef print_exception(future):\n"
            )),
            "{module}"
        );
        assert!(module.contains("\n\n\nclass GreenPile:\n"), "{module}");
        assert!(
            module.contains("future.add_done_callback(print_exception)"),
            "{module}"
        );
        let (again, added) = with_definitions(&module, "\n", &needed).unwrap();
        assert_eq!((again, added.len()), (module, 0));
    }

    #[test]
    fn an_existing_module_keeps_its_code_and_refuses_a_name_taken() {
        let catalogue = Catalogue::builtin().unwrap();
        let spawn = catalogue.helper("_spawn_future").unwrap();
        let text = "import os\n\nLIMIT = 3\n\n\ndef other():\n    return os.getpid()\n";
        let (module, _) = with_definitions(text, "\n", &[spawn]).unwrap();
        assert!(
            module.starts_with(
                "import concurrent.futures\nimport os\nimport threading\n\nLIMIT = 3\n\n\n\
                 def spawn_future(func, *args, **kwargs):\n"
            ),
            "{module}"
        );
        assert!(module.ends_with("    return future\n\n\ndef other():\n    return os.getpid()\n"));
        let taken = "spawn_future = None\n";
        assert!(with_definitions(taken, "\n", &[spawn]).is_err());
    }
}
