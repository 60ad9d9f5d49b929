//! A file that uses eventlet, read, parsed and analysed: how each file is
//! read first, and how those that use eventlet are loaded within the budget
//! of trees kept between the passes.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;

use crate::analysis::{FileAnalysis, Use, UseKind, analyze};
use crate::decide::matcher::decide_without_code;
use crate::decide::tree_facts::{
    AtImport, FileFacts, GreenUse, PatchCall, PatchFunction, Silencing, at_import, in_set_up,
    patched_by_call, runs_sometimes, scope_of, top_level_function,
};
use crate::discover::runs_on_eventlet;
use crate::helpers_home::{Helpers, site};
use crate::outcome::Skipped;
use crate::python::environment_settings::may_set;
use crate::python::module_constants;
use crate::python::parse::{first_syntax_error, parse};
use crate::python::patchers::Patchers;
use crate::python::syntax::{Root, module_assignments, node_at};
use crate::source::{LineIndex, SourceFile, StandIn, line_col, read_bytes};
use crate::transform::{ApiId, Catalogue};

pub(super) struct Parsed {
    /// Its index among the project's files.
    pub(super) file: usize,
    /// Within the paths given (else analysed for the facts only).
    pub(super) in_scope: bool,
    pub(super) source: SourceFile,
    pub(super) analysis: FileAnalysis,
    /// The tree, kept between the passes within the memory budget (made
    /// again when needed otherwise).
    pub(super) tree: Option<tree_sitter::Tree>,
    pub(super) facts: FileFacts,
    /// APIs that this file names as mock targets, and all the APIs it uses.
    pub(super) mocked: HashSet<ApiId>,
    pub(super) apis: HashSet<ApiId>,
    /// The constants it reads from other modules, by (module, name).
    pub(super) constant_reads: Vec<(String, String)>,
    /// The names its module-level statements assign (`POOL = GreenPool()`),
    /// and the attributes its methods store on `self` or `cls`, which other
    /// modules may read.
    pub(super) shared_names: Vec<String>,
}

impl Parsed {
    /// The kept tree, or a fresh parse of the source.
    pub(super) fn tree(&self) -> Cow<'_, tree_sitter::Tree> {
        match &self.tree {
            Some(kept) => Cow::Borrowed(kept),
            None => Cow::Owned(parse(&self.source.text)),
        }
    }
}

impl Parsed {
    /// A file's analysis and facts, from its text and tree.
    /// (`claimed`: the bytes of the budget its tree holds already.)
    pub(super) fn new(
        file: usize,
        source: SourceFile,
        tree: tree_sitter::Tree,
        claimed: Option<usize>,
        loading: &Loading,
    ) -> Parsed {
        let Loading {
            catalogue,
            annotate,
            budget,
            ..
        } = *loading;
        let in_scope = (loading.in_scope)(&source.path);
        let naming = site(loading.helpers, file).names_considered();
        let analysis = analyze(&tree, &source.text, catalogue, &naming, loading.patchers);
        let facts = facts(&tree, &source.text, &analysis, catalogue);
        let callees = analysis
            .uses
            .iter()
            .filter(|u| u.kind == UseKind::Reference)
            .map(|u| u.range.clone());
        let constant_reads =
            module_constants::reads(&Root::new(tree.root_node()), &source.text, callees);
        let mocked = analysis
            .uses
            .iter()
            .filter(|u| u.kind == UseKind::MockTarget)
            .filter_map(|u| u.api)
            .collect();
        let apis = analysis.uses.iter().filter_map(|u| u.api).collect();
        let shared_names = module_assignments(tree.root_node())
            .map(|(name, _)| source.text[name.byte_range()].to_owned())
            .chain(attributes_of_self(
                &Root::new(tree.root_node()),
                &source.text,
            ))
            .collect();
        // A tree is of use later only where a transform may apply or a comment
        // be added.
        let needs_code = annotate
            || analysis
                .uses
                .iter()
                .any(|u| decide_without_code(catalogue, u).is_err());
        let keep_tree = match claimed {
            Some(bytes) if !needs_code => {
                budget.release(bytes);
                false
            }
            Some(_) => true,
            None => needs_code && budget.claim(source.text.len()),
        };
        Parsed {
            file,
            in_scope,
            source,
            analysis,
            tree: keep_tree.then_some(tree),
            facts,
            mocked,
            apis,
            constant_reads,
            shared_names,
        }
    }
}

/// The attributes the file's methods store on `self` or `cls`
/// (`self._pool = ...`), which code holding the object elsewhere may read.
fn attributes_of_self(root: &Root, text: &str) -> Vec<String> {
    let mut names: Vec<String> = ["self.", "cls."]
        .iter()
        .flat_map(|prefix| memchr::memmem::find_iter(text.as_bytes(), prefix.as_bytes()))
        .filter_map(|at| root.descendant_for_byte_range(at, at + 1))
        .filter_map(|object| root.parent(object).filter(|a| a.kind() == "attribute"))
        .filter(|attribute| {
            root.parent(*attribute).is_some_and(|p| {
                p.kind() == "assignment" && p.child_by_field_name("left") == Some(*attribute)
            })
        })
        .filter_map(|attribute| attribute.child_by_field_name("attribute"))
        .map(|name| text[name.byte_range()].to_owned())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// A file as read: whether it mentions eventlet decides all the rest. The
/// others matter by their imports, read only when the cache has no answer
/// (a warm run then costs reading and hashing, as it did).
pub(super) enum Read {
    /// With a hash of its bytes, for the cache key, and whether it may set
    /// eventlet's environment variables all the same (`EVENTLET_HUB`).
    NoEventlet(u64, bool),
    Eventlet(PathBuf, Vec<u8>),
    Failed(Skipped),
}

pub(super) fn read(path: &Path, library_members: &[&str], stand_in: Option<&StandIn>) -> Read {
    match read_bytes(path, stand_in) {
        Ok(bytes) if runs_on_eventlet(&bytes, library_members) => {
            Read::Eventlet(path.to_path_buf(), bytes)
        }
        Ok(bytes) => {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut hasher);
            Read::NoEventlet(hasher.finish(), may_set(&bytes))
        }
        Err(e) => Read::Failed(Skipped {
            path: path.to_path_buf(),
            reason: format!("cannot read: {e}"),
        }),
    }
}

/// The bytes of source whose trees may still be kept, of `whole`.
pub(super) struct TreeBudget {
    pub(super) left: AtomicUsize,
    pub(super) whole: usize,
}

impl TreeBudget {
    pub(super) fn new(whole: usize) -> Self {
        TreeBudget {
            left: AtomicUsize::new(whole),
            whole,
        }
    }

    /// Whether a tree of `bytes` of source may be kept. A file larger than
    /// the whole budget takes all of it while untouched: its tree is the
    /// one a run holds anyway, and parsing it twice would make one big file
    /// cost more than twice a file of half its size.
    pub(super) fn claim(&self, bytes: usize) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes)
                    .or((self.whole > 0 && left == self.whole).then_some(0))
            })
            .is_ok()
    }

    /// Gives back a claim of `bytes` whose tree is not kept.
    pub(super) fn release(&self, bytes: usize) {
        self.left
            .fetch_add(bytes.min(self.whole), Ordering::Relaxed);
    }
}

/// What loading a file needs besides its bytes.
pub(super) struct Loading<'a> {
    /// The project's files, by index.
    pub(super) files: &'a [PathBuf],
    pub(super) in_scope: &'a (dyn Fn(&Path) -> bool + Sync),
    pub(super) catalogue: &'a Catalogue,
    /// The calls with which the project's tests patch names.
    pub(super) patchers: &'a Patchers,
    pub(super) helpers: &'a Helpers,
    /// Uses left for a person get a comment: every tree is of use.
    pub(super) annotate: bool,
    pub(super) budget: &'a TreeBudget,
    /// Text given on standard input for one of the files.
    pub(super) stand_in: Option<&'a StandIn>,
}

/// A file that uses eventlet, to be analysed.
pub(super) struct ToLoad {
    pub(super) file: usize,
    pub(super) path: PathBuf,
    pub(super) bytes: Vec<u8>,
    /// Its tree, if parsed already (from `bytes` as text).
    pub(super) tree: Option<tree_sitter::Tree>,
}

pub(super) fn load(to_load: ToLoad, loading: &Loading) -> Result<Parsed, (usize, Skipped)> {
    let ToLoad {
        file,
        path,
        bytes,
        tree,
    } = to_load;
    let claimed = tree.is_some().then_some(bytes.len());
    match read_source(file, path, bytes, tree) {
        Ok((source, tree)) => Ok(Parsed::new(file, source, tree, claimed, loading)),
        Err(skipped) => {
            if let Some(bytes) = claimed {
                loading.budget.release(bytes);
            }
            Err(skipped)
        }
    }
}

/// A file's text and tree, or why it is skipped. (`parsed`: the tree of
/// `bytes` read whole as text, if made already: it fits the file's text
/// unless a byte order mark, which the text leaves out, shifts it.)
pub(super) fn read_source(
    file: usize,
    path: PathBuf,
    bytes: Vec<u8>,
    parsed: Option<tree_sitter::Tree>,
) -> Result<(SourceFile, tree_sitter::Tree), (usize, Skipped)> {
    let skipped = |reason: String| {
        Err((
            file,
            Skipped {
                path: path.clone(),
                reason,
            },
        ))
    };
    let source = match SourceFile::from_bytes(path.clone(), bytes) {
        Ok(source) => source,
        Err(why) => return skipped(why.to_string()),
    };
    let tree = parsed
        .filter(|_| !source.has_bom)
        .unwrap_or_else(|| parse(&source.text));
    if let Some(at) = first_syntax_error(&tree) {
        let (line, col) = line_col(&source.text, at);
        return skipped(format!(
            "syntax error at line {line}, column {col}; left alone"
        ));
    }
    Ok((source, tree))
}

/// Whether the reference at `node` only names a class to catch or test
/// for (`except eventlet.timeout.Timeout:`, `isinstance(x, Timeout)`):
/// no instance is made there, so no timer starts.
fn names_a_type(root: &Root, node: tree_sitter::Node, text: &str) -> bool {
    let mut child = node;
    while let Some(parent) = root.parent(child) {
        match parent.kind() {
            "tuple" | "parenthesized_expression" | "as_pattern" => child = parent,
            "except_clause" => return parent.named_child(0) == Some(child),
            "argument_list" => {
                let tests_type = root
                    .parent(parent)
                    .and_then(|call| call.child_by_field_name("function"))
                    .is_some_and(|f| matches!(&text[f.byte_range()], "isinstance" | "issubclass"));
                return tests_type && parent.named_child(0) != Some(child);
            }
            _ => return false,
        }
    }
    false
}

/// Whether the switch `node` names is given anything but `True`: called
/// with it first (`hub_exceptions(False)`, or a setting read from
/// configuration), or assigned it (`greenpool.DEBUG = False`).
fn turned_off(root: &Root, node: tree_sitter::Node) -> bool {
    let Some(parent) = root.parent(node) else {
        return false;
    };
    let given = match parent.kind() {
        "call" => parent
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0)),
        "assignment" if parent.child_by_field_name("left") == Some(node) => {
            parent.child_by_field_name("right")
        }
        _ => return false,
    };
    given.is_some_and(|value| value.kind() != "true")
}

pub(super) fn facts(
    tree: &tree_sitter::Tree,
    text: &str,
    analysis: &FileAnalysis,
    catalogue: &Catalogue,
) -> FileFacts {
    let mut facts = FileFacts::default();
    let lines = LineIndex::new(text);
    let root = Root::new(tree.root_node());
    for (index, u) in analysis
        .uses
        .iter()
        .enumerate()
        .filter(|(_, u)| u.kind == UseKind::Reference)
    {
        let Some(api) = u.api.map(|a| &catalogue.apis[a]) else {
            continue;
        };
        let line = lines.line_col(text, u.range.start).0;
        let names_a_type =
            || node_at(&root, &u.range).is_some_and(|n| names_a_type(&root, n, text));
        if api.green_use(u.member(&root, text)) && !names_a_type() {
            facts.green_threads.push(GreenUse {
                line,
                api: api.name.clone(),
                use_index: index,
            });
        }
        if api.silences_errors && node_at(&root, &u.range).is_some_and(|n| turned_off(&root, n)) {
            facts.silencings.push(Silencing {
                api: api.name.clone(),
                line,
                at: u.range.start,
            });
        }
        if api.monkey_patch {
            let call = node_at(&root, &u.range)
                .and_then(|n| root.parent(n))
                .filter(|p| p.kind() == "call");
            if let Some(call) = call {
                let mut patching = patched_by_call(call, text);
                if runs_sometimes(call, text) {
                    patching = patching.sometimes();
                }
                if let Some(name) = top_level_function(call, text) {
                    facts.patch_functions.push(PatchFunction {
                        name: name.to_owned(),
                        patching: patching.clone(),
                    });
                }
                let at_import = at_import(call, text);
                if at_import == AtImport::SomeRuns {
                    patching = patching.sometimes();
                }
                facts.monkey_patches.push(PatchCall {
                    line,
                    scope: scope_of(call),
                    patching,
                    at_import: at_import.runs(),
                    at: Some(u.range.start),
                    in_set_up: in_set_up(call, text),
                });
            }
        }
    }
    facts
}

/// Adds to a file's analysis the uses found with the project's help.
pub(super) fn add_uses(analysis: &mut FileAnalysis, uses: &[Use]) {
    analysis.uses.extend(uses.iter().cloned());
    analysis.uses.sort_by_key(|u| (u.range.start, u.range.end));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the switch named first in `source` (at `name`) is turned off.
    fn off(source: &str, name: &str) -> bool {
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let at = source.find(name).unwrap();
        let node = root
            .descendant_for_byte_range(at, at + name.len())
            .filter(|n| n.kind() == "attribute")
            .unwrap();
        turned_off(&root, node)
    }

    /// The lines of the green uses `source` holds.
    fn green_lines(source: &str) -> Vec<usize> {
        let catalogue = Catalogue::builtin().unwrap();
        let tree = parse(source);
        let analysis = analyze(&tree, source, &catalogue, &[], &Patchers::default());
        facts(&tree, source, &analysis, &catalogue)
            .green_threads
            .iter()
            .map(|g| g.line)
            .collect()
    }

    #[test]
    fn only_a_green_module_s_thread_starters_start_green_threads() {
        let source = "from eventlet.green import threading\n\
                      from eventlet.green.threading import local\n\
                      STORE = threading.local()\n\
                      OTHER = local()\n\
                      threading.Thread(target=print).start()\n\
                      run(threading)\n";
        assert_eq!(green_lines(source), [5, 6]);
    }

    #[test]
    fn a_switch_given_anything_but_true_may_silence_errors() {
        assert!(off("debug.hub_exceptions(False)\n", "debug.hub_exceptions"));
        assert!(off(
            "debug.hub_exceptions(conf.debug)\n",
            "debug.hub_exceptions"
        ));
        assert!(!off("debug.hub_exceptions(True)\n", "debug.hub_exceptions"));
        assert!(off("greenpool.DEBUG = False\n", "greenpool.DEBUG"));
        assert!(!off("greenpool.DEBUG = True\n", "greenpool.DEBUG"));
        assert!(!off("state = greenpool.DEBUG\n", "greenpool.DEBUG"));
    }
}
