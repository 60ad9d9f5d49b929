//! One run over a tree: discover, read, parse and analyse the files that
//! mention eventlet (in parallel), derive the whole-tree context, then decide
//! and rewrite every file.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Result;
use rayon::prelude::*;

use crate::analysis::{FileAnalysis, UseKind, analyze};
use crate::context::{ApiTally, FileFacts, TreeContext, patched_by_call};
use crate::discover::{discover, mentions_eventlet};
use crate::matcher::{Fate, Matcher, Selection};
use crate::python::parse::{first_syntax_error, parse};
use crate::python::syntax::node_at;
use crate::rewrite::{FileRewrite, Finding, rewrite_file};
use crate::source::{SourceFile, line_col};
use crate::transform::{ApiId, Catalogue};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub selection: Selection,
    pub assume_monkey_patched: bool,
    /// Mark uses left for a person with a TODO comment.
    pub annotate: bool,
}

/// A file that mentions eventlet, with what happens to it.
#[derive(Debug)]
pub struct FileResult {
    pub source: SourceFile,
    pub findings: Vec<Finding>,
    pub new_text: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct RunResult {
    /// Files that mention eventlet and could be analysed, sorted by path.
    pub files: Vec<FileResult>,
    pub skipped: Vec<Skipped>,
    /// Python files looked at in all.
    pub files_scanned: usize,
}

impl RunResult {
    pub fn changed(&self) -> impl Iterator<Item = &FileResult> {
        self.files.iter().filter(|f| f.new_text.is_some())
    }
}

struct Parsed {
    source: SourceFile,
    tree: tree_sitter::Tree,
    analysis: FileAnalysis,
    facts: FileFacts,
}

enum Loaded {
    NoEventlet,
    Parsed(Box<Parsed>),
    Skipped(Skipped),
}

pub fn run(catalogue: &Catalogue, options: &Options) -> Result<RunResult> {
    let discovered = discover(&options.paths, &options.excludes)?;
    let loaded: Vec<Loaded> = discovered
        .files
        .par_iter()
        .map(|path| load(path, catalogue))
        .collect();
    let mut result = RunResult {
        files_scanned: discovered.files.len(),
        ..RunResult::default()
    };
    result
        .skipped
        .extend(discovered.problems.into_iter().map(|p| Skipped {
            path: p.path,
            reason: p.reason,
        }));
    let mut parsed = Vec::new();
    for item in loaded {
        match item {
            Loaded::NoEventlet => {}
            Loaded::Parsed(p) => parsed.push(*p),
            Loaded::Skipped(s) => result.skipped.push(s),
        }
    }
    let mut context = TreeContext::from_files(
        parsed.iter().map(|p| (p.source.path.as_path(), &p.facts)),
        options.assume_monkey_patched,
    );
    if parsed.iter().any(|p| {
        p.analysis
            .uses
            .iter()
            .any(|u| u.kind == UseKind::MockTarget)
    }) {
        let api_uses = api_fates(&parsed, catalogue, &context, &options.selection);
        context.set_api_uses(api_uses);
    }
    let matcher = Matcher {
        catalogue,
        context: &context,
        selection: &options.selection,
    };
    result.files = parsed
        .into_par_iter()
        .map(|p| {
            let FileRewrite {
                findings,
                new_text,
                error,
            } = rewrite_file(
                &p.source.text,
                p.tree,
                p.analysis,
                p.source.newline,
                &matcher,
                options.annotate,
            );
            FileResult {
                source: p.source,
                findings,
                new_text,
                error,
            }
        })
        .collect();
    Ok(result)
}

fn load(path: &std::path::Path, catalogue: &Catalogue) -> Loaded {
    let skipped = |reason: String| {
        Loaded::Skipped(Skipped {
            path: path.to_path_buf(),
            reason,
        })
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return skipped(format!("cannot read: {e}")),
    };
    if !mentions_eventlet(&bytes) {
        return Loaded::NoEventlet;
    }
    let source = match SourceFile::from_bytes(path.to_path_buf(), bytes) {
        Ok(source) => source,
        Err(why) => return skipped(why.to_string()),
    };
    let tree = parse(&source.text);
    if let Some(at) = first_syntax_error(&tree) {
        let (line, col) = line_col(&source.text, at);
        return skipped(format!(
            "syntax error at line {line}, column {col}; left alone"
        ));
    }
    let analysis = analyze(&tree, &source.text, catalogue);
    let facts = facts(&tree, &source.text, &analysis, catalogue);
    Loaded::Parsed(Box::new(Parsed {
        source,
        tree,
        analysis,
        facts,
    }))
}

/// Per API, how its uses fare across the tree in a first pass of
/// decisions (made before anything knows of mocks): code and the tests that
/// mock it then move together.
fn api_fates(
    parsed: &[Parsed],
    catalogue: &Catalogue,
    context: &TreeContext,
    selection: &Selection,
) -> HashMap<ApiId, ApiTally> {
    let matcher = Matcher {
        catalogue,
        context,
        selection,
    };
    parsed
        .par_iter()
        .map(|p| {
            let mut tallies: HashMap<ApiId, ApiTally> = HashMap::new();
            for u in &p.analysis.uses {
                let Some(api) = u.api else { continue };
                let fate = matcher.decide(u, p.tree.root_node(), &p.source.text, &p.analysis);
                let rewritten = usize::from(matches!(fate, Fate::Rewrite(_)));
                let tally = tallies.entry(api).or_default();
                match u.kind {
                    UseKind::Reference => {
                        tally.code += 1;
                        tally.rewritten += rewritten;
                    }
                    // With no tallies yet, a mock is refused only for its form
                    // or for want of a transform, which the second pass keeps.
                    UseKind::MockTarget => {
                        tally.mocks += 1;
                        tally.followable += rewritten;
                    }
                    UseKind::Import => {}
                }
            }
            tallies
        })
        .reduce(HashMap::new, |mut a, b| {
            for (api, tally) in b {
                a.entry(api).or_default().add(tally);
            }
            a
        })
}

fn facts(
    tree: &tree_sitter::Tree,
    text: &str,
    analysis: &FileAnalysis,
    catalogue: &Catalogue,
) -> FileFacts {
    let mut facts = FileFacts::default();
    for u in analysis
        .uses
        .iter()
        .filter(|u| u.kind == UseKind::Reference)
    {
        let Some(api) = u.api.map(|a| &catalogue.apis[a]) else {
            continue;
        };
        let line = line_col(text, u.range.start).0;
        if api.green {
            facts.green_threads.push((line, api.name.clone()));
        }
        if api.monkey_patch {
            let call = node_at(tree.root_node(), &u.range)
                .and_then(|n| n.parent())
                .filter(|p| p.kind() == "call");
            if let Some(call) = call {
                facts
                    .monkey_patches
                    .push((line, patched_by_call(call, text)));
            }
        }
    }
    facts
}
