//! eventlet in project configuration files: the requirement itself, coverage's
//! `concurrency = eventlet`, and `EVENTLET_*` environment settings in tox.
//! These are line edits of non-Python files, named as strategies by the
//! `config` transforms of the catalogue, and made only once no eventlet
//! import is left in the tree.

use std::path::Path;

use crate::transform::strategy::ConfigStrategy;

/// The kinds of configuration file eventless reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// `requirements.txt`, `test-requirements.txt`, `doc/requirements.txt`, ...
    Requirements,
    SetupCfg,
    Pyproject,
    ToxIni,
    Coveragerc,
}

pub fn kind_of(path: &Path) -> Option<ConfigKind> {
    let name = path.file_name()?.to_str()?;
    Some(match name {
        "setup.cfg" => ConfigKind::SetupCfg,
        "pyproject.toml" => ConfigKind::Pyproject,
        "tox.ini" => ConfigKind::ToxIni,
        ".coveragerc" => ConfigKind::Coveragerc,
        _ if name.ends_with(".txt") && name.contains("requirements") => ConfigKind::Requirements,
        _ => return None,
    })
}

/// One line to change: its 1-based number and its new text (`None` deletes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineChange {
    pub line: usize,
    pub new: Option<String>,
}

/// The changes a strategy makes to a file of this kind.
pub fn changes(strategy: ConfigStrategy, kind: ConfigKind, text: &str) -> Vec<LineChange> {
    let mut section = String::new();
    let mut key = String::new();
    let mut out = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        let continuation = line.starts_with([' ', '\t']) && !trimmed.is_empty();
        if trimmed.starts_with('[') && !continuation {
            section = trimmed
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_owned();
            key.clear();
            continue;
        }
        if !continuation && let Some((k, _)) = trimmed.split_once(['=', ':']) {
            key = k.trim().to_owned();
        }
        let new = match strategy {
            ConfigStrategy::Requirement => {
                requirement_line(kind, &section, &key, trimmed, continuation)
            }
            ConfigStrategy::CoverageConcurrency => concurrency_line(kind, &section, line),
            ConfigStrategy::Environment => environment_line(kind, &section, &key, trimmed),
        };
        if let Some(new) = new {
            out.push(LineChange {
                line: index + 1,
                new,
            });
        }
    }
    out
}

/// Applies line changes, keeping every other byte (and line ending).
pub fn apply(text: &str, changes: &[LineChange]) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        match changes.iter().find(|c| c.line == index + 1) {
            None => out.push_str(line),
            Some(LineChange { new: None, .. }) => {}
            Some(LineChange { new: Some(new), .. }) => {
                out.push_str(new);
                out.push_str(&line[line.trim_end_matches(['\n', '\r']).len()..]);
            }
        }
    }
    out
}

/// `Some(None)` to delete a requirement line naming eventlet.
fn requirement_line(
    kind: ConfigKind,
    section: &str,
    key: &str,
    trimmed: &str,
    continuation: bool,
) -> Option<Option<String>> {
    let candidate = match kind {
        ConfigKind::Requirements => trimmed,
        ConfigKind::SetupCfg => {
            let in_requires = (section == "options" && key == "install_requires")
                || section == "options.extras_require"
                || section == "extras";
            if !(in_requires && continuation) {
                return None;
            }
            trimmed
        }
        ConfigKind::Pyproject => {
            let in_deps = (section == "project" && key == "dependencies")
                || section == "project.optional-dependencies";
            if !in_deps {
                return None;
            }
            trimmed.trim_start_matches(['"', '\''])
        }
        _ => return None,
    };
    names_eventlet(candidate).then_some(None)
}

/// A PEP 508 requirement whose project name is eventlet.
fn names_eventlet(requirement: &str) -> bool {
    let name: String = requirement
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    if !name.eq_ignore_ascii_case("eventlet") {
        return false;
    }
    let rest = requirement[name.len()..].trim_start();
    rest.is_empty() || rest.starts_with(['<', '>', '=', '!', '~', ';', '[', '#', '"', '\'', ','])
}

fn concurrency_line(kind: ConfigKind, section: &str, line: &str) -> Option<Option<String>> {
    let in_run = match kind {
        ConfigKind::Coveragerc => section == "run",
        ConfigKind::SetupCfg | ConfigKind::ToxIni => section == "coverage:run",
        ConfigKind::Pyproject => section == "tool.coverage.run",
        ConfigKind::Requirements => false,
    };
    let (key, value) = line.split_once('=')?;
    if !in_run || key.trim() != "concurrency" {
        return None;
    }
    let quoted = value.contains(['"', '\'']);
    let items: Vec<String> = value
        .trim()
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|v| v.trim().trim_matches(['"', '\'']).to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    if !items.iter().any(|v| v == "eventlet") {
        return None;
    }
    let mut kept: Vec<String> = items.into_iter().filter(|v| v != "eventlet").collect();
    if kept.is_empty() {
        // coverage's default is `thread`.
        return Some(None);
    }
    if !kept.iter().any(|v| v == "thread") {
        kept.push("thread".into());
    }
    let value = if quoted {
        format!(
            "[{}]",
            kept.iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        kept.join(",")
    };
    Some(Some(format!("{} = {value}", key.trim_end())))
}

fn environment_line(
    kind: ConfigKind,
    section: &str,
    key: &str,
    trimmed: &str,
) -> Option<Option<String>> {
    let in_env = kind == ConfigKind::ToxIni && section.starts_with("testenv") && key == "setenv";
    let assignment = trimmed.strip_prefix("setenv").map_or(trimmed, |r| {
        r.trim_start().trim_start_matches('=').trim_start()
    });
    (in_env && assignment.starts_with("EVENTLET_") && assignment.contains('=')).then_some(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(strategy: ConfigStrategy, name: &str, text: &str) -> String {
        let kind = kind_of(Path::new(name)).unwrap();
        apply(text, &changes(strategy, kind, text))
    }

    #[test]
    fn requirement_lines_go() {
        let text = "pbr>=2.0 # Apache\neventlet>=0.30.1,!=0.32.0 # MIT\neventlet-extra>=1\ngreenlet>=0.4\n";
        assert_eq!(
            run(ConfigStrategy::Requirement, "requirements.txt", text),
            "pbr>=2.0 # Apache\neventlet-extra>=1\ngreenlet>=0.4\n"
        );
        let cfg = "[options]\ninstall_requires =\n    eventlet>=0.30\n    pbr\n[files]\npackages = eventlet\n";
        assert_eq!(
            run(ConfigStrategy::Requirement, "setup.cfg", cfg),
            "[options]\ninstall_requires =\n    pbr\n[files]\npackages = eventlet\n"
        );
        let toml = "[project]\ndependencies = [\n  \"eventlet>=0.30\",\n  \"pbr\",\n]\n";
        assert_eq!(
            run(ConfigStrategy::Requirement, "pyproject.toml", toml),
            "[project]\ndependencies = [\n  \"pbr\",\n]\n"
        );
    }

    #[test]
    fn coverage_concurrency_drops_eventlet() {
        assert_eq!(
            run(
                ConfigStrategy::CoverageConcurrency,
                ".coveragerc",
                "[run]\nbranch = True\nconcurrency = eventlet\n"
            ),
            "[run]\nbranch = True\n"
        );
        assert_eq!(
            run(
                ConfigStrategy::CoverageConcurrency,
                "setup.cfg",
                "[coverage:run]\nconcurrency = eventlet,multiprocessing\n"
            ),
            "[coverage:run]\nconcurrency = multiprocessing,thread\n"
        );
        assert_eq!(
            run(
                ConfigStrategy::CoverageConcurrency,
                "pyproject.toml",
                "[tool.coverage.run]\nconcurrency = [\"eventlet\"]\n"
            ),
            "[tool.coverage.run]\n"
        );
    }

    #[test]
    fn eventlet_environment_settings_go_from_tox() {
        let tox = "[testenv]\nsetenv =\n  EVENTLET_NO_GREENDNS=yes\n  PYTHONWARNINGS=default\n";
        assert_eq!(
            run(ConfigStrategy::Environment, "tox.ini", tox),
            "[testenv]\nsetenv =\n  PYTHONWARNINGS=default\n"
        );
    }

    #[test]
    fn line_endings_are_kept() {
        assert_eq!(
            run(
                ConfigStrategy::Requirement,
                "requirements.txt",
                "a\r\neventlet\r\nb\r\n"
            ),
            "a\r\nb\r\n"
        );
    }
}
