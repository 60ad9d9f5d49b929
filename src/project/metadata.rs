//! What the project says about itself at its root: its distribution name,
//! in a source release's PKG-INFO, pyproject.toml's `[project]` or
//! setup.cfg's `[metadata]`.

use std::path::Path;

use super::setup_cfg;

/// The files at the project's root that its name comes from.
pub const NAME_FILES: [&str; 3] = ["PKG-INFO", "pyproject.toml", "setup.cfg"];

/// The name the project declares itself under, as written there.
pub fn declared_name(root: &Path) -> Option<String> {
    let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap_or_default();
    let [pkg_info, pyproject, setup_cfg] = NAME_FILES.map(read);
    let in_pkg_info = || {
        pkg_info
            .lines()
            .take_while(|line| !line.is_empty())
            .find_map(|line| line.strip_prefix("Name")?.strip_prefix(':'))
            .map(str::to_owned)
    };
    let in_project = || {
        let table = pyproject.parse::<toml::Table>().ok()?;
        Some(table.get("project")?.get("name")?.as_str()?.to_owned())
    };
    let in_metadata = || {
        setup_cfg::value(&setup_cfg, "metadata", "name")?
            .first()
            .map(|v| v.to_string())
    };
    in_pkg_info()
        .or_else(in_project)
        .or_else(in_metadata)
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
}

/// Package names compare as PyPI does: case, `-`, `_` and `.` alike.
pub fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_a_pyproject_or_a_setup_cfg_names_the_project() {
        let release = tempfile::tempdir().unwrap();
        std::fs::write(
            release.path().join("PKG-INFO"),
            "Metadata-Version: 2.1\nName: oslo.messaging\nVersion: 14.7.0\n\nName: other\n",
        )
        .unwrap();
        std::fs::write(release.path().join("setup.cfg"), "[metadata]\nname = x\n").unwrap();
        assert_eq!(
            declared_name(release.path()).as_deref(),
            Some("oslo.messaging")
        );
        let checkout = tempfile::tempdir().unwrap();
        std::fs::write(
            checkout.path().join("setup.cfg"),
            "[metadata]\nname = python-watcher\n",
        )
        .unwrap();
        assert_eq!(
            declared_name(checkout.path()).as_deref(),
            Some("python-watcher")
        );
        std::fs::write(
            checkout.path().join("pyproject.toml"),
            "[project]\nname = \"futurist\"\n",
        )
        .unwrap();
        assert_eq!(declared_name(checkout.path()).as_deref(), Some("futurist"));
        assert_eq!(declared_name(&checkout.path().join("none")), None);
        assert_eq!(normalise("Oslo_Messaging"), normalise("oslo.messaging"));
    }
}
