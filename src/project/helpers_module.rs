//! The project's shared helpers module: the one module that defines the
//! helper functions rewrites call, so that no helper is defined in more
//! than one file. The configuration names it (`helpers_module`); by
//! default it is `threading_helpers` in the project's top-level package
//! (the package named like the project, or its only package that is not a
//! test one). A project with no such package has none, and each file
//! defines the helpers it calls.
//!
//! A new default module that only tests and tools would import does not
//! belong in the package: the helpers go nearer their callers instead
//! ([`nearer_callers`]), which a run knows only once its rewrites are made.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::metadata::declared_name;
use super::modules::lexical;
use super::programs::is_test_code;
use crate::python::syntax::is_identifier_path;

/// The module's name in the top-level package when none is configured.
pub const DEFAULT_NAME: &str = "threading_helpers";

/// Where a run defines the helpers its rewrites call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HelpersPlace {
    /// In the default module, or nearer the callers when only tests and
    /// tools would import a new one.
    #[default]
    Default,
    /// In the module the configuration names (a dotted name).
    Module(String),
    /// In each file that calls them.
    InFiles,
}

impl HelpersPlace {
    /// The place a configuration's `helpers_module` names, if any.
    pub fn configured(dotted: Option<String>) -> HelpersPlace {
        dotted.map_or(HelpersPlace::Default, HelpersPlace::Module)
    }
}

/// Where the shared helpers module is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Its dotted name.
    pub module: String,
    /// Its file, which may not exist yet (beside the project's files, shown
    /// as they are).
    pub path: PathBuf,
}

/// The shared helpers module of the project at `root`, whose Python files
/// are `files`: the `configured` one, or the default one; `None` when
/// nothing is configured and the project has no single top-level package.
pub fn locate(
    root: &Path,
    files: &[PathBuf],
    configured: Option<&str>,
) -> Result<Option<Location>, String> {
    let packages = top_level_packages(root, files);
    let Some(dotted) = configured else {
        return Ok(
            default_package(root, &packages).map(|(name, folder)| Location {
                module: format!("{name}.{DEFAULT_NAME}"),
                path: module_file(folder, DEFAULT_NAME),
            }),
        );
    };
    let (package, name) = dotted.rsplit_once('.').unwrap_or(("", dotted));
    let folder = match package.split_once('.').unwrap_or((package, "")) {
        ("", _) => root.to_path_buf(),
        (top, below) => packages
            .iter()
            .find(|(name, _)| name == top)
            .map(|(_, folder)| {
                below
                    .split('.')
                    .filter(|p| !p.is_empty())
                    .fold(folder.clone(), |f, p| f.join(p))
            })
            .filter(|folder| folder.join("__init__.py").is_file())
            .ok_or_else(|| {
                format!("helpers_module '{dotted}': the project has no package '{package}'")
            })?,
    };
    Ok(Some(Location {
        module: dotted.to_owned(),
        path: module_file(&folder, name),
    }))
}

/// The file of module `name` in `folder`: a package's `__init__.py` when
/// it is one, else `name.py`.
fn module_file(folder: &Path, name: &str) -> PathBuf {
    let package = folder.join(name).join("__init__.py");
    match package.is_file() {
        true => package,
        false => folder.join(format!("{name}.py")),
    }
}

/// The packages right under the root (or its `src` folder), with their
/// folders.
fn top_level_packages(root: &Path, files: &[PathBuf]) -> Vec<(String, PathBuf)> {
    let root = lexical(root);
    let bases = [root.join("src"), root];
    let mut found: Vec<(String, PathBuf)> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "__init__.py"))
        .filter_map(|f| {
            let folder = f.parent()?;
            let name = folder.file_name()?.to_str()?;
            let in_base = bases.contains(&lexical(folder.parent()?));
            (in_base && is_identifier_path(name)).then(|| (name.to_owned(), folder.to_path_buf()))
        })
        .collect();
    found.sort();
    found
}

/// The package named like the project, or its only package that is not a
/// test one.
fn default_package<'p>(
    root: &Path,
    packages: &'p [(String, PathBuf)],
) -> Option<&'p (String, PathBuf)> {
    let named = declared_name(root).map(|n| n.replace(['-', '.'], "_"));
    if let Some(package) = packages
        .iter()
        .find(|(name, _)| Some(name) == named.as_ref())
    {
        return Some(package);
    }
    let mut code = packages.iter().filter(|(name, _)| !name.contains("test"));
    match (code.next(), code.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// Whether `caller` lies outside the package of the helpers module at
/// `module`: in another folder, or a test where the package is not one.
pub fn outside_its_package(root: &Path, module: &Path, caller: &Path) -> bool {
    let package = lexical(module.parent().unwrap_or(Path::new("")));
    let caller = lexical(caller);
    !caller.starts_with(&package) || (is_test_code(root, &caller) && !is_test_code(root, &package))
}

/// A place nearer its `callers` for a new helpers module at `module`,
/// when all of them lie outside its package: the file that calls them when
/// it is one, else the deepest package that holds them all (a test
/// package, below the module's own); `None` when there is none.
pub fn nearer_callers(root: &Path, module: &Path, callers: &[PathBuf]) -> Option<HelpersPlace> {
    if callers.is_empty() || !callers.iter().all(|c| outside_its_package(root, module, c)) {
        return None;
    }
    if callers.len() == 1 {
        return Some(HelpersPlace::InFiles);
    }
    let common = callers
        .iter()
        .filter_map(|c| c.parent().map(lexical))
        .reduce(|a, b| {
            a.ancestors()
                .find(|f| b.starts_with(f))
                .unwrap_or(Path::new(""))
                .to_path_buf()
        })?;
    let root = lexical(root);
    let src = root.join("src");
    let base = if common.starts_with(&src) { src } else { root };
    // The packages from the base down towards the common folder.
    let mut package = base.clone();
    let mut dotted: Vec<&str> = Vec::new();
    for part in common.strip_prefix(&base).ok()?.components() {
        let next = package.join(part);
        let name = part.as_os_str().to_str()?;
        if !is_identifier_path(name) || !next.join("__init__.py").is_file() {
            break;
        }
        package = next;
        dotted.push(name);
    }
    let own = lexical(module.parent()?);
    (package.starts_with(&own) && package != own)
        .then(|| HelpersPlace::Module(format!("{}.{DEFAULT_NAME}", dotted.join("."))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[&str], setup_cfg: Option<&str>) -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = files.iter().map(|f| dir.path().join(f)).collect();
        for path in &paths {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        if let Some(text) = setup_cfg {
            std::fs::write(dir.path().join("setup.cfg"), text).unwrap();
        }
        (dir, paths)
    }

    #[test]
    fn the_default_goes_in_the_package_named_like_the_project() {
        let (dir, files) = project(
            &[
                "heat/__init__.py",
                "heat/engine/__init__.py",
                "heat_integrationtests/__init__.py",
            ],
            None,
        );
        let found = locate(dir.path(), &files, None).unwrap().unwrap();
        assert_eq!(found.module, "heat.threading_helpers");
        assert_eq!(found.path, dir.path().join("heat/threading_helpers.py"));
        let (dir, files) = project(
            &["os_vif/__init__.py", "vif_plug_ovs/__init__.py"],
            Some("[metadata]\nname = os-vif\n\n[files]\npackages =\n    os_vif\n"),
        );
        let found = locate(dir.path(), &files, None).unwrap().unwrap();
        assert_eq!(found.module, "os_vif.threading_helpers");
    }

    #[test]
    fn no_single_package_gives_none() {
        let (dir, files) = project(&["a/__init__.py", "b/__init__.py", "c.py"], None);
        assert_eq!(locate(dir.path(), &files, None).unwrap(), None);
        let (dir, files) = project(&["scripts/run.py"], None);
        assert_eq!(locate(dir.path(), &files, None).unwrap(), None);
    }

    #[test]
    fn a_configured_module_is_found_in_its_package() {
        let (dir, files) = project(
            &[
                "src/pkg/__init__.py",
                "src/pkg/common/__init__.py",
                "src/pkg/common/utils.py",
            ],
            None,
        );
        let found = locate(dir.path(), &files, Some("pkg.common.utils")).unwrap();
        assert_eq!(
            found.unwrap().path,
            dir.path().join("src/pkg/common/utils.py")
        );
        let found = locate(dir.path(), &files, Some("helpers")).unwrap();
        assert_eq!(found.unwrap().path, dir.path().join("helpers.py"));
        let err = locate(dir.path(), &files, Some("pkg.missing.helpers")).unwrap_err();
        assert_eq!(
            err,
            "helpers_module 'pkg.missing.helpers': the project has no package 'pkg.missing'"
        );
    }

    #[test]
    fn helpers_only_tests_call_go_beside_them() {
        let (dir, _) = project(
            &[
                "pkg/__init__.py",
                "pkg/api.py",
                "pkg/tests/__init__.py",
                "pkg/tests/unit/__init__.py",
                "pkg/tests/unit/db/__init__.py",
                "pkg/tests/unit/db/test_a.py",
                "pkg/tests/unit/test_b.py",
                "tools/sim.py",
            ],
            None,
        );
        let root = dir.path();
        let module = root.join("pkg/threading_helpers.py");
        let at = |files: &[&str]| -> Vec<PathBuf> { files.iter().map(|f| root.join(f)).collect() };
        let tests = at(&["pkg/tests/unit/db/test_a.py", "pkg/tests/unit/test_b.py"]);
        assert_eq!(
            nearer_callers(root, &module, &tests),
            Some(HelpersPlace::Module(
                "pkg.tests.unit.threading_helpers".into()
            ))
        );
        // One caller defines them itself; a caller in the package keeps them
        // there; tests and a tool share no package.
        assert_eq!(
            nearer_callers(root, &module, &at(&["tools/sim.py"])),
            Some(HelpersPlace::InFiles)
        );
        assert_eq!(
            nearer_callers(root, &module, &at(&["pkg/api.py", "tools/sim.py"])),
            None
        );
        assert_eq!(
            nearer_callers(
                root,
                &module,
                &at(&["pkg/tests/unit/test_b.py", "tools/sim.py"])
            ),
            None
        );
        // A module among the tests already is beside them.
        let beside = root.join("pkg/tests/unit/threading_helpers.py");
        assert!(!outside_its_package(root, &beside, &tests[0]));
        assert_eq!(nearer_callers(root, &beside, &tests), None);
    }
}
