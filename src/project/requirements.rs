//! The lowest release of each installed library the project allows, from
//! what it declares it installs: `requirements.txt` (which pbr, and so
//! every OpenStack project, installs from), setup.cfg's `install_requires`
//! and pyproject.toml's `[project] dependencies`. A rewrite may count on a
//! library's behaviour only from the release that brought it
//! (oslo.messaging picks its executor itself from 12.0.0 on), so it waits
//! for the project to require that release.

use std::collections::HashMap;
use std::path::Path;

use super::metadata::normalise;
use super::setup_cfg;

/// The files at the project's root that the floors come from.
pub const REQUIREMENT_FILES: [&str; 3] = ["requirements.txt", "setup.cfg", "pyproject.toml"];

/// A release number (`14.1.0`), compared by its numeric parts. A suffix
/// (`14.1.0rc1`, a pre-release) puts it just below its numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    parts: Vec<u64>,
    suffixed: bool,
    text: String,
}

impl Release {
    pub fn parse(text: &str) -> Option<Release> {
        let text = text.trim();
        let mut parts = Vec::new();
        let mut suffixed = false;
        for part in text.split('.') {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                suffixed = true;
                break;
            }
            parts.push(digits.parse().ok()?);
            if digits.len() < part.len() {
                suffixed = true;
                break;
            }
        }
        (!parts.is_empty()).then(|| Release {
            parts,
            suffixed,
            text: text.to_owned(),
        })
    }

    fn at_least(&self, other: &Release) -> bool {
        let width = self.parts.len().max(other.parts.len());
        let part = |r: &Release, i: usize| r.parts.get(i).copied().unwrap_or(0);
        match (0..width)
            .map(|i| part(self, i).cmp(&part(other, i)))
            .find(|o| o.is_ne())
        {
            Some(order) => order.is_gt(),
            None => !self.suffixed || other.suffixed,
        }
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Per normalised package name, the lowest release its requirement allows;
/// and whether the project still supports Python 2.
#[derive(Debug, Clone, Default)]
pub struct RequirementFloors {
    floors: HashMap<String, Release>,
    /// Where the project says it runs on Python 2 (`setup.cfg's classifiers
    /// list Python 2`), if it does.
    python2: Option<String>,
}

impl RequirementFloors {
    /// Reads the requirement files at the project's root (none: no floors).
    pub fn read(root: &Path) -> RequirementFloors {
        let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap_or_default();
        let [requirements, setup_cfg, pyproject] = REQUIREMENT_FILES.map(read);
        let project = pyproject
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut table| table.remove("project"));
        let lines = requirements
            .lines()
            .map(str::to_owned)
            .chain(
                setup_cfg::value(&setup_cfg, "options", "install_requires")
                    .unwrap_or_default()
                    .into_iter()
                    .map(str::to_owned),
            )
            .chain(project_strings(project.as_ref(), "dependencies"))
            .collect::<Vec<_>>()
            .join("\n");
        RequirementFloors {
            python2: python2_support(&setup_cfg, project.as_ref()),
            ..RequirementFloors::parse(&lines)
        }
    }

    /// Where the project says it still runs on Python 2, if it does.
    pub fn python2(&self) -> Option<&str> {
        self.python2.as_deref()
    }

    /// Floors from requirement lines (`name>=1.2,!=1.3 # comment`); where
    /// a package is named twice, the higher floor holds.
    pub fn parse(text: &str) -> RequirementFloors {
        let mut floors: HashMap<String, Release> = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            // An environment marker (`; python_version < '3.9'`) makes the
            // requirement conditional; its floor still holds where it applies.
            let line = line.split(';').next().unwrap_or("").trim();
            let name_end = line
                .find(|c: char| !(c.is_ascii_alphanumeric() || "._-[]".contains(c)))
                .unwrap_or(line.len());
            let (name, specifiers) = line.split_at(name_end);
            let name = name.split('[').next().unwrap_or(name);
            if name.is_empty() || name.starts_with('-') {
                continue;
            }
            if let Some(floor) = lowest_allowed(specifiers) {
                let known = floors
                    .entry(normalise(name))
                    .or_insert_with(|| floor.clone());
                if floor.at_least(known) {
                    *known = floor;
                }
            }
        }
        RequirementFloors {
            floors,
            python2: None,
        }
    }

    /// The project requires at least `release` of `package`.
    pub fn check(&self, package: &str, release: &Release) -> Result<(), String> {
        match self.floors.get(&normalise(package)) {
            Some(floor) if floor.at_least(release) => Ok(()),
            Some(floor) => Err(format!(
                "the project's requirements allow {package} {floor}, and the rewrite counts \
                 on {package} {release} or later"
            )),
            None => Err(format!(
                "the project's requirements (requirements.txt, setup.cfg, pyproject.toml) set \
                 no lower bound on {package}, and the rewrite counts on {package} {release} \
                 or later"
            )),
        }
    }
}

/// Where setup.cfg or pyproject.toml says the project runs on Python 2: a
/// lowest Python below 3 (`python_requires = >=2.7`), or, with none given,
/// a Python 2 classifier (swift 2.33's setup.cfg, whose CI still runs a
/// py27 job).
fn python2_support(setup_cfg: &str, project: Option<&toml::Value>) -> Option<String> {
    let cfg = |section: &str, key: &str| -> Vec<String> {
        setup_cfg::value(setup_cfg, section, key)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    let requires = [
        (
            "setup.cfg's python_requires",
            cfg("options", "python_requires"),
        ),
        (
            "setup.cfg's python_requires",
            cfg("metadata", "python_requires"),
        ),
        (
            "pyproject.toml's requires-python",
            project_strings(project, "requires-python"),
        ),
    ];
    if let Some((file, specifiers)) = requires.iter().find(|(_, v)| !v.is_empty()) {
        let specifiers = specifiers.join(",");
        let python3 = Release::parse("3").expect("a release");
        return lowest_allowed(&specifiers)
            .is_none_or(|lowest| !lowest.at_least(&python3))
            .then(|| format!("{file} is {specifiers}"));
    }
    let classifiers = [
        ("setup.cfg's classifiers", cfg("metadata", "classifier")),
        ("setup.cfg's classifiers", cfg("metadata", "classifiers")),
        (
            "pyproject.toml's classifiers",
            project_strings(project, "classifiers"),
        ),
    ];
    classifiers.into_iter().find_map(|(file, lines)| {
        lines
            .iter()
            .any(|c| {
                let version = c.trim().strip_prefix("Programming Language :: Python :: ");
                version.is_some_and(|v| v == "2" || v.starts_with("2."))
            })
            .then(|| format!("{file} list Python 2"))
    })
}

/// The lowest release specifiers (`>=1.2,!=1.3`) allow, where one sets a
/// lower bound.
fn lowest_allowed(specifiers: &str) -> Option<Release> {
    specifiers
        .split(',')
        .filter_map(|s| {
            let s = s.trim();
            let version = s
                .strip_prefix(">=")
                .or_else(|| s.strip_prefix("~="))
                .or_else(|| s.strip_prefix("==="))
                .or_else(|| s.strip_prefix("=="))?;
            Release::parse(version)
        })
        .reduce(|a, b| if a.at_least(&b) { a } else { b })
}

/// The strings of `key` in pyproject.toml's `[project]` (a list, or one).
fn project_strings(project: Option<&toml::Value>, key: &str) -> Vec<String> {
    match project.and_then(|p| p.get(key)) {
        Some(toml::Value::String(one)) => vec![one.clone()],
        Some(toml::Value::Array(list)) => list
            .iter()
            .filter_map(toml::Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(text: &str) -> Release {
        Release::parse(text).unwrap()
    }

    #[test]
    fn python_2_support_is_read_from_the_lowest_python_or_else_the_classifiers() {
        let classifiers = "[metadata]\nclassifier =\n    Programming Language :: Python :: 2\n    \
                           Programming Language :: Python :: 3\n";
        assert_eq!(
            python2_support(classifiers, None).as_deref(),
            Some("setup.cfg's classifiers list Python 2")
        );
        let python3 = "Programming Language :: Python :: 3\n";
        assert_eq!(
            python2_support(
                &classifiers.replace("Programming Language :: Python :: 2\n", python3),
                None
            ),
            None
        );
        let requires = format!("{classifiers}python_requires = >=3.8\n");
        assert_eq!(python2_support(&requires, None), None);
        let old = "[options]\npython_requires = >=2.7,!=3.0.*\n";
        assert_eq!(
            python2_support(old, None).as_deref(),
            Some("setup.cfg's python_requires is >=2.7,!=3.0.*")
        );
        let pyproject: toml::Value = toml::from_str(
            "requires-python = '>=3.9'\nclassifiers = ['Programming Language :: Python :: 2.7']\n",
        )
        .unwrap();
        assert_eq!(python2_support("", Some(&pyproject)), None);
    }

    #[test]
    fn the_floor_is_the_highest_lower_bound() {
        let floors = RequirementFloors::parse(
            "pbr>=2.0 # Apache-2.0\n\
             oslo.messaging>=14.1.0,!=14.2.0 # Apache-2.0\n\
             Oslo_Config>=6.8.0,>=9.0.0\n\
             futurist==3.0.0\n\
             eventlet\n\
             -r other.txt\n",
        );
        assert!(floors.check("oslo.messaging", &release("12.0.0")).is_ok());
        assert!(floors.check("oslo-messaging", &release("14.1.0")).is_ok());
        assert!(floors.check("oslo.config", &release("9.0")).is_ok());
        assert!(floors.check("futurist", &release("3.0.0")).is_ok());
        let older = floors
            .check("oslo.messaging", &release("14.1.1"))
            .unwrap_err();
        assert!(older.contains("allow oslo.messaging 14.1.0"), "{older}");
        let unbounded = floors.check("eventlet", &release("0.30")).unwrap_err();
        assert!(unbounded.contains("no lower bound"), "{unbounded}");
        assert!(floors.check("other", &release("1")).is_err());
    }

    #[test]
    fn setup_cfg_and_pyproject_declare_floors_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("setup.cfg"),
            "[metadata]\nname = x\n\n[options]\ninstall_requires =\n    \
             oslo.messaging>=12.0.0\n    futurist\npython_requires = >=3.8\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[project]\nname = \"x\"\ndependencies = [\"eventlet>=0.30\", \"oslo.messaging>=14.1.0\"]\n",
        )
        .unwrap();
        let floors = RequirementFloors::read(dir.path());
        assert!(floors.check("oslo.messaging", &release("14.1.0")).is_ok());
        assert!(floors.check("eventlet", &release("0.30")).is_ok());
        assert!(floors.check("futurist", &release("1")).is_err());
        assert!(floors.check("python_requires", &release("3")).is_err());
    }

    #[test]
    fn releases_compare_by_their_numbers() {
        assert!(release("12.0").at_least(&release("12.0.0")));
        assert!(release("12.10.0").at_least(&release("12.9.5")));
        assert!(!release("7.0.0").at_least(&release("12.0.0")));
        assert!(!release("14.1.0rc1").at_least(&release("14.1.0")));
        assert!(release("14.1.0rc1").at_least(&release("14.0.9")));
        assert_eq!(Release::parse("dev"), None);
    }
}
