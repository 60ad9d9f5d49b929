//! The project's shared helpers module: the one module that defines the
//! helper functions rewrites call, so that no helper is defined in more
//! than one file. The configuration names it (`helpers_module`); by
//! default it is `threading_helpers` in the project's top-level package
//! (the package named like the project, or its only package that is not a
//! test one). A project with no such package has none, and each file
//! defines the helpers it calls.

use std::path::{Path, PathBuf};

use super::metadata::declared_name;
use super::modules::lexical;
use crate::python::syntax::is_identifier_path;

/// The module's name in the top-level package when none is configured.
pub const DEFAULT_NAME: &str = "threading_helpers";

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
}
