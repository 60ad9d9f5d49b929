//! Mocks of the standard-library names rewrites call: a test's
//! `mock.patch('time.sleep')` (or `patch.object(time, 'sleep')`, or
//! `patch('pkg.mod.time.sleep')`, which patches the same module object)
//! catches every call of `time.sleep` made while it is active, so a
//! rewrite that turns `eventlet.sleep(1)` into `time.sleep(1)` in code that
//! test runs puts one more call under it. `patch('pkg.mod.time')` replaces
//! the module's name in `pkg.mod` alone, and catches the calls there.

use tree_sitter::Node;

use crate::python::import_order::is_stdlib;
use crate::python::import_scan::ImportScan;
use crate::python::patchers::Patchers;
use crate::python::syntax::{Root, is_eventlet_path, text};

/// A standard-library module, or a member of one, that a rewrite puts in
/// place of an API (`None`: any member, as a green module's uses become
/// the stdlib module's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdlibTarget {
    /// Its dotted name (`concurrent.futures`).
    pub module: String,
    /// The member read from it (`ThreadPoolExecutor`), if any.
    pub member: Option<String>,
}

/// One mock of a stdlib name in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdlibMock {
    pub module: String,
    /// The member patched; `None` where the module's name in a project
    /// module is replaced (`patch('pkg.mod.time')`).
    pub member: Option<String>,
    /// The project module the mock names the module through, as written
    /// (`pkg.mod` of `pkg.mod.time.sleep` and of `pkg.mod.time`): where
    /// that module's name is eventlet's green module, the mock is one of
    /// eventlet's.
    pub through: Option<String>,
    pub line: usize,
}

/// Whether a file's text may mock one of `targets`: it names a patcher,
/// and a target as a patch names it (the end of a string, `time.sleep'`;
/// a module's name in a project module, `.time'`; an attribute string
/// beside the module, `time, 'sleep'`). Most files are never parsed for
/// this, even those that call the targets.
pub fn may_mock(bytes: &[u8], patchers: &Patchers, targets: &[StdlibTarget]) -> bool {
    let found = |needle: &str| memchr::memmem::find(bytes, needle.as_bytes()).is_some();
    let quoted = |text: &str| found(&format!("{text}'")) || found(&format!("{text}\""));
    patchers.may_patch(bytes)
        && targets.iter().any(|c| {
            let module = &c.module;
            let last = module.rsplit('.').next().unwrap_or(module);
            let beside_module = || found(&format!("{last},"));
            quoted(&format!(".{module}"))
                || match &c.member {
                    Some(member) => {
                        quoted(&format!("{module}.{member}"))
                            || (found(&format!("'{member}'")) || found(&format!("\"{member}\"")))
                                && beside_module()
                    }
                    None => {
                        found(&format!("'{module}."))
                            || found(&format!("\"{module}."))
                            || found(&format!(".{module}."))
                            || beside_module()
                    }
                }
        })
}

/// The mocks of `targets` that the file's patcher calls make.
pub fn in_file(
    root: &Root,
    source: &str,
    imports: &ImportScan,
    patchers: &Patchers,
    targets: &[StdlibTarget],
) -> Vec<StdlibMock> {
    // `from eventlet.green import os`: `patch.object(os, 'getpid')` is
    // eventlet's mock.
    let green = |object: &str| {
        imports
            .imports
            .iter()
            .any(|i| is_eventlet_path(&i.module) && i.names.iter().any(|n| n == object))
    };
    let mut found = Vec::new();
    for call in patchers.calls(root, source) {
        let Some(args) = patchers.args(call, source) else {
            continue;
        };
        let named = text(args.string, source);
        let line = call.start_position().row + 1;
        let mock = match args.object {
            Some(object) if green(text(object, source)) => None,
            Some(object) => attribute_mock(object, named, source, targets),
            None => dotted_mock(named, targets),
        };
        found.extend(mock.map(|(module, member, through)| StdlibMock {
            module,
            member,
            through,
            line,
        }));
    }
    found
}

type Mocked = (String, Option<String>, Option<String>);

/// `patch('time.sleep')`, `patch('pkg.mod.time.sleep')`: the member of the
/// module object; `patch('pkg.mod.time')`: the name in `pkg.mod`. Not
/// `patch('eventlet.green.os.getpid')`: eventlet's green modules are
/// modules of their own.
fn dotted_mock(named: &str, targets: &[StdlibTarget]) -> Option<Mocked> {
    if is_eventlet_path(named) {
        return None;
    }
    let (before, last) = named.rsplit_once('.')?;
    targets.iter().find_map(|c| {
        let module = c.module.as_str();
        let through = before
            .strip_suffix(module)
            .and_then(|rest| rest.strip_suffix('.'));
        if before == module || through.is_some() {
            return c.member.as_deref().is_none_or(|m| m == last).then(|| {
                (
                    module.to_owned(),
                    Some(last.to_owned()),
                    through.map(str::to_owned),
                )
            });
        }
        (last == module && !is_stdlib(before))
            .then(|| (module.to_owned(), None, Some(before.to_owned())))
    })
}

/// `patch.object(time, 'sleep')`, `patch.object(driver.time, 'sleep')`.
fn attribute_mock(
    object: Node,
    member: &str,
    source: &str,
    targets: &[StdlibTarget],
) -> Option<Mocked> {
    let object = text(object, source);
    targets.iter().find_map(|c| {
        let last = c.module.rsplit('.').next().unwrap_or(&c.module);
        let names_module = object == c.module || object.rsplit('.').next() == Some(last);
        (names_module && c.member.as_deref().is_none_or(|m| m == member))
            .then(|| (c.module.clone(), Some(member.to_owned()), None))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn mocks(source: &str) -> Vec<(String, Option<String>, Option<String>)> {
        let targets = [
            StdlibTarget {
                module: "time".into(),
                member: Some("sleep".into()),
            },
            StdlibTarget {
                module: "socket".into(),
                member: None,
            },
        ];
        let patchers = Patchers::default();
        assert!(may_mock(source.as_bytes(), &patchers, &targets));
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let imports = crate::python::import_scan::scan(source);
        in_file(&root, source, &imports, &patchers, &targets)
            .into_iter()
            .map(|m| (m.module, m.member, m.through))
            .collect()
    }

    #[test]
    fn finds_the_forms_that_patch_a_stdlib_name() {
        let sleep = || ("time".to_owned(), Some("sleep".to_owned()), None);
        assert_eq!(
            mocks("@mock.patch('time.sleep')\ndef test(s): pass\n"),
            [sleep()]
        );
        assert_eq!(
            mocks("@mock.patch.object(time, 'sleep')\ndef test(s): pass\n"),
            [sleep()]
        );
        // Through a project module: the same module object.
        assert_eq!(
            mocks("with mock.patch('pkg.driver.time.sleep'):\n    pass\n"),
            [(
                "time".into(),
                Some("sleep".into()),
                Some("pkg.driver".into())
            )]
        );
        assert_eq!(
            mocks("self.useFixture(fixtures.MockPatch('pkg.wsgi.socket.getaddrinfo'))\n"),
            [(
                "socket".into(),
                Some("getaddrinfo".into()),
                Some("pkg.wsgi".into())
            )]
        );
        // The module's name in one project module.
        assert_eq!(
            mocks("@mock.patch('pkg.driver.time')\ndef test(t): pass\n"),
            [("time".into(), None, Some("pkg.driver".into()))]
        );
        // eventlet's green modules are modules of their own.
        assert!(mocks("@mock.patch('eventlet.green.time.sleep')\ndef test(s): pass\n").is_empty());
        assert!(
            mocks("from eventlet.green import time\n@mock.patch.object(time, 'sleep')\n")
                .is_empty()
        );
        // Other members and modules are not what rewrites call.
        assert!(mocks("@mock.patch('time.time')\ndef test(t): pass\n'sleep'\n").is_empty());
    }
}
