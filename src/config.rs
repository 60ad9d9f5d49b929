//! The project's `eventless.toml` (or `[tool.eventless]` in its
//! pyproject.toml): options, and transforms that add to or
//! replace the built-in ones (for example, rewriting to the project's own
//! `utils.spawn`). Found at the root of the tree, searched upwards from the
//! first path given, so it also applies when run from a subfolder.
//!
//! ```toml
//! [options]
//! select = ["sleep", "queue"]
//! ignore = ["tpool-execute"]
//! safety = "safe"
//! accept = ["start-order"]       # behaviour differences accepted (review level)
//! assume_monkey_patched = true   # or the modules: ["socket", "thread"]
//! exclude = ["doc", "releasenotes"]
//! helpers_module = "nova.utils" # where the helpers rewrites call are defined
//!
//! [commit]               # defaults for `eventless commit` / `patches`
//! topic = "eventlet-removal"
//! signoff = true
//! footers = ["Partial-Bug: #2004567"]
//!
//! [[transform]]          # same format as transforms/*.toml
//! id = "sleep"           # a built-in id: replaces that transform
//! ...
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::decide::tree_facts::assumed_patching;
use crate::python::syntax::is_identifier_path;
use crate::transform::{Catalogue, Safety};

pub const FILE_NAME: &str = "eventless.toml";
const PYPROJECT: &str = "pyproject.toml";

/// `[tool.eventless]` of a pyproject.toml, taken out of it.
fn tool_table(pyproject: &mut toml::Table) -> Option<toml::Table> {
    match pyproject
        .get_mut("tool")?
        .as_table_mut()?
        .remove("eventless")?
    {
        toml::Value::Table(table) => Some(table),
        _ => None,
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigOptions {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub safety: Option<Safety>,
    /// Behaviour differences accepted, by id (`transforms/differences.toml`).
    #[serde(default)]
    pub accept: Vec<String>,
    #[serde(default)]
    pub assume_monkey_patched: AssumedPatching,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The module (a dotted name) that defines the helpers rewrites call,
    /// instead of `threading_helpers` in the top-level package (or the one
    /// file that calls them, or a module nearer the tests that do).
    #[serde(default)]
    pub helpers_module: Option<String>,
}

/// `assume_monkey_patched = true` (every module), or the modules the
/// application patches: `["socket", "select", "thread"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AssumedPatching {
    All(bool),
    Modules(Vec<String>),
}

impl Default for AssumedPatching {
    fn default() -> Self {
        AssumedPatching::All(false)
    }
}

impl AssumedPatching {
    pub fn modules(&self) -> Result<Option<BTreeSet<String>>, String> {
        match self {
            AssumedPatching::All(false) => Ok(None),
            AssumedPatching::All(true) => assumed_patching(&["all".to_owned()]).map(Some),
            AssumedPatching::Modules(names) => assumed_patching(names).map(Some),
        }
    }
}

/// `[commit]`: defaults for `eventless commit` and `eventless patches`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitConfig {
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub signoff: bool,
    /// Trailers such as "Partial-Bug: #2004567", placed before Signed-off-by.
    #[serde(default)]
    pub footers: Vec<String>,
}

pub struct ProjectConfig {
    pub options: ConfigOptions,
    pub commit: CommitConfig,
    pub catalogue: Catalogue,
}

/// The configuration in `start` (a folder, or a file's folder, the file on
/// disk or not) or above it: `eventless.toml`, or a `pyproject.toml` with a
/// `[tool.eventless]` table (the first folder that has either;
/// eventless.toml wins there).
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = crate::source::canonical(start).ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        let pyproject = d.join(PYPROJECT);
        let has_table = std::fs::read_to_string(&pyproject)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .is_some_and(|mut table| tool_table(&mut table).is_some());
        if has_table {
            return Some(pyproject);
        }
        dir = d.parent();
    }
    None
}

pub fn load(path: &Path) -> Result<ProjectConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the configuration", path.display()))?;
    let mut table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{}: not valid TOML", path.display()))?;
    if path.file_name().is_some_and(|n| n == PYPROJECT) {
        table = tool_table(&mut table)
            .with_context(|| format!("{}: has no [tool.eventless] table", path.display()))?;
    }
    let options: ConfigOptions = match table.remove("options") {
        Some(value) => value
            .try_into()
            .with_context(|| format!("{}: bad [options]", path.display()))?,
        None => ConfigOptions::default(),
    };
    let commit: CommitConfig = match table.remove("commit") {
        Some(value) => value
            .try_into()
            .with_context(|| format!("{}: bad [commit]", path.display()))?,
        None => CommitConfig::default(),
    };
    if let Some(bad) = commit.footers.iter().find(|f| !f.contains(": ")) {
        bail!(
            "{}: [commit] footer {bad:?} is not \"Key: value\"",
            path.display()
        );
    }
    if let Err(e) = options.assume_monkey_patched.modules() {
        bail!("{}: [options] assume_monkey_patched: {e}", path.display());
    }
    if let Some(module) = options
        .helpers_module
        .as_deref()
        .filter(|m| !is_identifier_path(m))
    {
        bail!(
            "{}: [options] helpers_module {module:?} is not a dotted module name",
            path.display()
        );
    }
    if options.safety == Some(Safety::Manual) {
        bail!(
            "{}: [options] safety must be \"safe\", \"conditional\" or \"review\"",
            path.display()
        );
    }
    let name = path.display().to_string();
    let catalogue = Catalogue::with_project(&name, table)?;
    for id in options.select.iter().chain(&options.ignore) {
        if catalogue.transform_by_id(id).is_none() {
            bail!(
                "{}: [options] names unknown transform id '{id}'",
                path.display()
            );
        }
    }
    if let Some(id) = options
        .accept
        .iter()
        .find(|id| catalogue.difference_by_id(id).is_none())
    {
        bail!(
            "{}: [options] accept names unknown difference '{id}' (see `eventless transforms differences`)",
            path.display()
        );
    }
    Ok(ProjectConfig {
        options,
        commit,
        catalogue,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_from_a_subfolder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg/sub")).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        let found = find(&dir.path().join("pkg/sub")).unwrap();
        assert_eq!(
            found,
            std::fs::canonicalize(dir.path().join(FILE_NAME)).unwrap()
        );
    }

    #[test]
    fn a_project_transform_replaces_the_builtin_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            r#"
[options]
ignore = ["queue"]

[[transform]]
id = "sleep"
summary = "sleep through the project's helper"
docs = "Nova routes yields through one helper."
safety = "safe"
shape = "call"
apis = ["eventlet.greenthread.sleep"]
params = ["seconds=0"]
replace = "{@nova:utils}.cooperative_yield()"
"#,
        )
        .unwrap();
        let config = load(&path).unwrap();
        assert_eq!(config.options.ignore, ["queue"]);
        let t = config.catalogue.transform_by_id("sleep").unwrap();
        assert_eq!(t.summary, "sleep through the project's helper");
        assert_eq!(config.catalogue.families[t.family].name, "sleep");
    }

    #[test]
    fn mistakes_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "[options]\nselect = [\"nope\"]\n").unwrap();
        let err = load(&path).err().unwrap().to_string();
        assert!(err.contains("unknown transform id 'nope'"), "{err}");
        std::fs::write(&path, "[options]\nhelpers_module = \"pkg/helpers.py\"\n").unwrap();
        let err = load(&path).err().unwrap().to_string();
        assert!(
            err.contains("helpers_module \"pkg/helpers.py\" is not a dotted module name"),
            "{err}"
        );
    }
}
