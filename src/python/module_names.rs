//! How a file names a module a rewrite needs: reuse an import that is
//! there, add one, or pick an alias when the name is taken.
//!
//! Templates write `{@time}` (`import time`, used as `time`) or
//! `{@nova:utils}` (`from nova import utils`, used as `utils`, the OpenStack
//! way for project modules).

use std::collections::HashSet;

use super::bindings::{Bindings, ImportBinding, MODULE_SCOPE, Reads};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleRef<'a> {
    /// `import a.b`, used as `a.b`.
    Import(&'a str),
    /// `from package import name`, used as `name`.
    From { package: &'a str, name: &'a str },
}

impl<'a> ModuleRef<'a> {
    pub fn parse(spec: &'a str) -> ModuleRef<'a> {
        match spec.split_once(':') {
            Some((package, name)) => ModuleRef::From { package, name },
            None => ModuleRef::Import(spec),
        }
    }

    /// The top-level package, which decides the import group.
    pub fn top(&self) -> &'a str {
        let dotted = match self {
            ModuleRef::Import(m) => m,
            ModuleRef::From { package, .. } => package,
        };
        dotted.split('.').next().unwrap_or(dotted)
    }

    /// The module's dotted name (`a.b` for `from a import b`).
    pub fn dotted(&self) -> String {
        match self {
            ModuleRef::Import(dotted) => (*dotted).to_owned(),
            ModuleRef::From { package, name } => format!("{package}.{name}"),
        }
    }

    /// The start of the aliases tried when the module's own name is taken
    /// (`time_mod`, `time_mod2`, ...).
    fn alias_base(&self) -> String {
        match self {
            ModuleRef::Import(dotted) => {
                format!("{}_mod", dotted.rsplit('.').next().unwrap_or(dotted))
            }
            ModuleRef::From { package, name } => format!("{}_{name}", package.replace('.', "_")),
        }
    }

    /// The names [`name_module`] may look up to name this module, besides
    /// those imports of its top-level package bind.
    pub fn names_considered(&self) -> Vec<String> {
        let mut names = vec![self.top().to_owned(), self.alias_base()];
        if let ModuleRef::From { name, .. } = self {
            names.push((*name).to_owned());
        }
        names
    }
}

/// An import statement to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport {
    pub statement: String,
    /// hacking's H306 sort key (`a.b` for `import a.b` and `from a import b`).
    pub key: String,
    pub top: String,
}

/// The expression that names `module` where it is `read`, and the import to
/// add, if any. `leaving` are imports the same rewrite removes; `chosen` are
/// names other modules already took in this rewrite; `freed` are names whose
/// only binding, a statement the rewrite deletes, goes.
pub fn name_module(
    module: ModuleRef,
    bindings: &Bindings,
    read: Reads,
    leaving: &HashSet<usize>,
    chosen: &[String],
    freed: &[String],
) -> (String, Option<NewImport>) {
    let taken = |name: &str, compatible: &dyn Fn(&ImportBinding) -> bool| {
        let freed = freed.iter().any(|f| f == name);
        (!freed && bindings.name_taken(name, read, leaving, compatible))
            || chosen.iter().any(|c| c == name)
    };
    let module_level = || bindings.imports.iter().filter(|b| b.scope == MODULE_SCOPE);
    match module {
        ModuleRef::Import(dotted) => {
            let top = module.top();
            let same = |b: &ImportBinding| !b.from_import && b.target == top;
            // `import time`, or `import x.y as z`.
            for b in module_level().filter(|b| !b.from_import) {
                let aliased = b.target == dotted && b.name != top;
                let plain = b.target == top && b.name == top && !dotted.contains('.');
                if (aliased || plain)
                    && !taken(&b.name, &|o: &ImportBinding| {
                        o.target == b.target && !o.from_import
                    })
                {
                    return (b.name.clone(), None);
                }
            }
            if !taken(top, &same) {
                let present = dotted.contains('.')
                    && module_level()
                        .any(|b| same(b) && b.name == top && b.clause.len() == dotted.len());
                let import = (!present).then(|| NewImport {
                    statement: format!("import {dotted}"),
                    key: dotted.to_owned(),
                    top: top.to_owned(),
                });
                return (dotted.to_owned(), import);
            }
            let alias = free_alias(&module.alias_base(), |n| taken(n, &|_| false));
            let import = NewImport {
                statement: format!("import {dotted} as {alias}"),
                key: dotted.to_owned(),
                top: top.to_owned(),
            };
            (alias, Some(import))
        }
        ModuleRef::From { package, name } => {
            let target = format!("{package}.{name}");
            let same = |b: &ImportBinding| b.from_import && b.target == target;
            if let Some(b) = module_level().find(|b| same(b))
                && !taken(&b.name, &same)
            {
                return (b.name.clone(), None);
            }
            let top = module.top().to_owned();
            if !taken(name, &same) {
                let import = NewImport {
                    statement: format!("from {package} import {name}"),
                    key: target,
                    top,
                };
                return (name.to_owned(), Some(import));
            }
            let alias = free_alias(&module.alias_base(), |n| taken(n, &|_| false));
            let import = NewImport {
                statement: format!("from {package} import {name} as {alias}"),
                key: target,
                top,
            };
            (alias, Some(import))
        }
    }
}

fn free_alias(base: &str, taken: impl Fn(&str) -> bool) -> String {
    (1..)
        .map(|n| {
            if n == 1 {
                base.to_owned()
            } else {
                format!("{base}{n}")
            }
        })
        .find(|candidate| !taken(candidate))
        .expect("some numbered alias is free")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn name_read(source: &str, spec: &str, read: Reads) -> (String, Option<String>) {
        let tree = parse(source);
        let b = Bindings::analyze(&tree, source);
        let (expr, import) =
            name_module(ModuleRef::parse(spec), &b, read, &HashSet::new(), &[], &[]);
        (expr, import.map(|i| i.statement))
    }

    fn name(source: &str, spec: &str) -> (String, Option<String>) {
        name_read(source, spec, Reads::Anywhere)
    }

    /// The name `time` gets where `SITE` stands in `source`.
    fn time_at_site(source: &str) -> String {
        let site = source.find("SITE").expect("a SITE in the source");
        name_read(source, "time", Reads::At(&[site])).0
    }

    #[test]
    fn reuses_an_existing_import() {
        assert_eq!(name("import time as t\n", "time"), ("t".into(), None));
        assert_eq!(name("import time\n", "time"), ("time".into(), None));
        assert_eq!(
            name("from nova import utils\n", "nova:utils"),
            ("utils".into(), None)
        );
    }

    #[test]
    fn adds_an_import_when_the_name_is_free() {
        assert_eq!(
            name("x = 1\n", "urllib.request"),
            (
                "urllib.request".into(),
                Some("import urllib.request".into())
            )
        );
        assert_eq!(
            name("x = 1\n", "nova:utils"),
            ("utils".into(), Some("from nova import utils".into()))
        );
    }

    #[test]
    fn a_binding_no_read_meets_leaves_the_name_free() {
        // mistral: an unrelated parameter of another method.
        let other_function = "def f(time):\n    pass\n\n\ndef g():\n    SITE\n";
        assert_eq!(time_at_site(other_function), "time");
        let class_body = "class A:\n    time = 1\n\n    def m(self):\n        SITE\n";
        assert_eq!(
            time_at_site(class_body),
            "time",
            "a class body is not seen from a method"
        );
    }

    #[test]
    fn a_binding_a_read_meets_takes_the_name() {
        let own_parameter = "def f(time):\n    SITE\n";
        assert_eq!(time_at_site(own_parameter), "time_mod");
        let enclosing = "def f(time):\n    def g():\n        SITE\n";
        assert_eq!(
            time_at_site(enclosing),
            "time_mod",
            "a closure reads its function's names"
        );
        let class_body = "class A:\n    time = 1\n    SITE\n";
        assert_eq!(time_at_site(class_body), "time_mod");
        let comprehension = "def f():\n    return [SITE for time in x]\n";
        assert_eq!(time_at_site(comprehension), "time_mod");
    }

    #[test]
    fn aliases_on_a_clash() {
        assert_eq!(
            name("def f(time): pass\n", "time"),
            ("time_mod".into(), Some("import time as time_mod".into()))
        );
        assert_eq!(
            time_at_site("time = 5\n\n\ndef f():\n    SITE\n"),
            "time_mod",
            "a module-level binding meets every read"
        );
        assert_eq!(
            name("utils = None\n", "nova:utils"),
            (
                "nova_utils".into(),
                Some("from nova import utils as nova_utils".into())
            )
        );
    }
}
