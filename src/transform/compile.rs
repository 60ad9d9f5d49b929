//! Loading transform files: their TOML form, checked and compiled into
//! the catalogue.
//!
//! A file describes one idiom family: the eventlet APIs it covers (with
//! their aliases and the guidance shown when a use is left for a person)
//! and the transforms that rewrite them. Every mistake in a file is reported
//! with the file and item it is in; nothing is silently dropped.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::catalogue::{Catalogue, CatalogueError};
use super::model::{
    Api, ApiId, ArgsRule, CAUGHT_BY_MOCK, Case, CaseAction, Difference, DifferenceId,
    ENVIRONMENT_API, ESCAPED_MOCK, Example, Family, Guard, Helper, INHERITED_ENVIRONMENT, LooksUp,
    MemberRule, MockForm, PATCHABLE, Param, PatchWrapper, RESOLVER, Requirement, ResultRule,
    Safety, Shape, Transform, UNPATCHED_LOCALS, UNPATCHED_PROGRAM, UNPATCHED_RUNS,
    UNPATCHED_THREADS, public_name,
};
use super::predicate::Predicate;
use super::strategy::{BlockRule, BlockStrategy, BlockingCall, ConfigStrategy, RAISED};
use super::template::{ALL_ARGUMENTS, Piece, REST_AS_DICT, REST_AS_TUPLE, Template};
use crate::project::requirements::Release;
use crate::python::continuation::MAX_LINE;
use crate::python::helpers::check_definition;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyFile {
    family: String,
    title: String,
    #[serde(default)]
    commit_summary: Option<String>,
    #[serde(default)]
    wakes_threads: bool,
    #[serde(default)]
    api: Vec<ApiDef>,
    #[serde(default)]
    transform: Vec<TransformDef>,
    #[serde(default)]
    helper: Vec<HelperDef>,
    #[serde(default)]
    example: Vec<Example>,
}

/// The catalogue of behaviour differences (`transforms/differences.toml`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DifferencesFile {
    difference: Vec<Difference>,
}

/// The one source that holds differences, not a family.
const DIFFERENCES_FILE: &str = "differences.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HelperDef {
    name: String,
    code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiDef {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    guidance: String,
    #[serde(default)]
    green: bool,
    #[serde(default)]
    green_members: Vec<String>,
    #[serde(default)]
    per_thread: bool,
    #[serde(default)]
    per_thread_members: Vec<String>,
    #[serde(default)]
    looks_up: LooksUp,
    #[serde(default)]
    monkey_patch: bool,
    #[serde(default)]
    library: bool,
    #[serde(default)]
    called_by: Vec<String>,
    #[serde(default)]
    only_waits: bool,
    #[serde(default)]
    silences_errors: bool,
    #[serde(default, rename = "wrapper")]
    wrappers: Vec<WrapperDef>,
    #[serde(default)]
    background_calls: Vec<String>,
    #[serde(default)]
    calls: Vec<String>,
    provided_by: Option<String>,
}

/// An installed function that calls a `monkey_patch = true` API.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrapperDef {
    function: String,
    #[serde(default)]
    some_runs: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransformDef {
    id: String,
    summary: String,
    docs: String,
    safety: Safety,
    shape: Shape,
    apis: Vec<String>,
    #[serde(default)]
    params: Vec<String>,
    #[serde(default)]
    requires: Vec<String>,
    /// The behaviour differences of every case (a `review` transform).
    #[serde(default)]
    differences: Vec<String>,
    #[serde(default)]
    guards: Vec<String>,
    #[serde(default)]
    members: Option<BTreeMap<String, MemberRule>>,
    #[serde(default = "yes")]
    escapes: bool,
    #[serde(default)]
    call_after_assignment: Option<String>,
    #[serde(default)]
    mock_form: Option<String>,
    #[serde(default)]
    strategy: Option<String>,
    #[serde(default)]
    blocking: Option<BlockingCall>,
    #[serde(default)]
    replace: Option<String>,
    #[serde(default)]
    targets: BTreeMap<String, String>,
    #[serde(default)]
    case: Vec<CaseDef>,
    #[serde(default)]
    example: Vec<Example>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseDef {
    #[serde(default)]
    when: BTreeMap<String, String>,
    #[serde(default)]
    replace: Option<String>,
    #[serde(default)]
    manual: Option<String>,
    #[serde(default)]
    safety: Option<Safety>,
    /// Behaviour differences of this case's rewrite besides the
    /// transform's: the case is then review level.
    #[serde(default)]
    differences: Vec<String>,
}

/// In a case's `replace`: the API's entry in the transform's `targets`.
const TARGET: &str = "{target}";

impl Catalogue {
    pub(super) fn load_with(
        sources: &[(&str, &str)],
        project: Option<(&str, toml::Table)>,
    ) -> Result<Catalogue, CatalogueError> {
        let mut errors = Vec::new();
        let mut files = Vec::new();
        let mut fingerprint = crate::fingerprint::KeyBuilder::default();
        fingerprint.add(sources);
        if let Some((file, table)) = &project {
            fingerprint.add(file).add(table.to_string());
        }
        let mut differences = Vec::new();
        for (file, text) in sources {
            if file.rsplit('/').next() == Some(DIFFERENCES_FILE) {
                match toml::from_str::<DifferencesFile>(text) {
                    Ok(parsed) => differences.extend(parsed.difference),
                    Err(e) => errors.push(format!("{file}: {}", e.to_string().trim_end())),
                }
                continue;
            }
            match toml::from_str::<FamilyFile>(text) {
                Ok(parsed) => files.push((file.to_string(), parsed, false)),
                Err(e) => errors.push(format!("{file}: {}", e.to_string().trim_end())),
            }
        }
        if let Some((file, mut table)) = project {
            table.entry("family").or_insert_with(|| "project".into());
            table
                .entry("title")
                .or_insert_with(|| format!("Project transforms ({file})").into());
            match table.try_into::<FamilyFile>() {
                Ok(parsed) => files.push((file.to_string(), parsed, true)),
                Err(e) => errors.push(format!("{file}: {}", e.to_string().trim_end())),
            }
        }
        let mut cat = Catalogue {
            fingerprint: fingerprint.finish(),
            ..Catalogue::default()
        };
        for difference in differences {
            cat.add_difference(difference, &mut errors);
        }
        // APIs first: transforms of one family may name APIs of another.
        for (file, parsed, _) in &files {
            let family = cat.families.len();
            if let Some(summary) = &parsed.commit_summary
                && (summary.chars().count() > 50 || summary.ends_with('.'))
            {
                errors.push(format!(
                    "{file}: commit_summary must have at most 50 characters and no final period"
                ));
            }
            cat.families.push(Family {
                name: parsed.family.clone(),
                title: parsed.title.clone(),
                commit_summary: parsed.commit_summary.clone(),
                wakes_threads: parsed.wakes_threads,
                file: file.clone(),
                examples: parsed.example.clone(),
            });
            for def in &parsed.api {
                cat.add_api(def, family, file, &mut errors);
            }
            for def in &parsed.helper {
                cat.add_helper(def, file, &mut errors);
            }
        }
        // The APIs an API calls, once every API is known.
        for (file, parsed, _) in &files {
            for def in &parsed.api {
                let calls = cat.api_ids(&def.calls, |name| {
                    errors.push(format!(
                        "{file}: API '{}' calls unknown API '{name}'",
                        def.name
                    ));
                });
                if let Some(&api) = cat.api_index.get(&def.name) {
                    cat.apis[api].calls = calls;
                }
            }
        }
        for (family, (file, parsed, project)) in files.iter().enumerate() {
            for def in &parsed.transform {
                let at = format!("{file}: transform '{}'", def.id);
                let existing = cat.transforms.iter().position(|t| t.id == def.id);
                if existing.is_some() && !project {
                    errors.push(format!("{at}: the id is used twice"));
                    continue;
                }
                match cat.compile_transform(def, family, *project) {
                    // A project's transform replaces the built-in one in place,
                    // staying in its family.
                    Ok(mut t) => match existing {
                        Some(index) => {
                            t.family = cat.transforms[index].family;
                            cat.transforms[index] = t;
                        }
                        None => cat.transforms.push(t),
                    },
                    Err(problems) => {
                        errors.extend(problems.into_iter().map(|p| format!("{at}: {p}")))
                    }
                }
            }
        }
        // A followed API's own rewrites follow nothing, so that deciding
        // one use never comes back to itself.
        fn follows(t: &Transform) -> impl Iterator<Item = &String> {
            t.guards.iter().filter_map(|g| match g {
                Guard::Follows(api) => Some(api),
                _ => None,
            })
        }
        for t in &cat.transforms {
            for api in follows(t) {
                let Some(&id) = cat.api_index.get(api) else {
                    errors.push(format!(
                        "transform '{}': guard follows:{api} names an unknown API",
                        t.id
                    ));
                    continue;
                };
                let chained = cat
                    .transforms
                    .iter()
                    .find(|o| o.apis.contains(&id) && follows(o).next().is_some());
                if let Some(o) = chained {
                    errors.push(format!(
                        "transform '{}': guard follows:{api}, whose transform '{}' follows \
                         another API in turn; a followed API's rewrites must follow none",
                        t.id, o.id
                    ));
                }
            }
        }
        for t in &cat.transforms {
            let wanted = t
                .block
                .as_ref()
                .and_then(|b| b.call.receiver_transform.as_ref());
            if let Some(id) = wanted.filter(|id| cat.transform_by_id(id).is_none()) {
                errors.push(format!(
                    "transform '{}': `receiver_transform` names unknown transform '{id}'",
                    t.id
                ));
            }
        }
        // A project's transforms are tried before the built-in ones: a
        // project that retargets an idiom to its own API means it.
        let project_first = cat
            .transforms
            .iter()
            .enumerate()
            .filter(|(_, t)| t.project)
            .chain(
                cat.transforms
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| !t.project),
            );
        for (id, t) in project_first {
            for api in &t.apis {
                cat.by_api.entry(*api).or_default().push(id);
            }
        }
        // Such a requirement holds with these differences in programs that
        // leave the module unpatched in some runs, or in commands that
        // never patch it.
        let relaxable = |r: &Requirement| matches!(r, Requirement::NativeOrPatched(_));
        if cat
            .transforms
            .iter()
            .any(|t| t.requires.iter().any(relaxable))
        {
            for id in [
                UNPATCHED_RUNS,
                UNPATCHED_PROGRAM,
                UNPATCHED_THREADS,
                UNPATCHED_LOCALS,
            ] {
                if cat.difference_by_id(id).is_none() {
                    errors.push(format!(
                        "{DIFFERENCES_FILE}: difference '{id}' is missing; requirements \
                         native-or-patched:MODULE hold with it"
                    ));
                }
            }
        }
        if !cat.stdlib_calls().is_empty() && cat.difference_by_id(CAUGHT_BY_MOCK).is_none() {
            errors.push(format!(
                "{DIFFERENCES_FILE}: difference '{CAUGHT_BY_MOCK}' is missing; a rewrite that \
                 calls a stdlib name a test mocks has it"
            ));
        }
        let resolving = |t: &Transform| t.requires.contains(&Requirement::SameResolver);
        if cat.transforms.iter().any(resolving) && cat.difference_by_id(RESOLVER).is_none() {
            errors.push(format!(
                "{DIFFERENCES_FILE}: difference '{RESOLVER}' is missing; requirement \
                 same-resolver holds with it"
            ));
        }
        if cat.api(ENVIRONMENT_API).is_some()
            && cat.difference_by_id(INHERITED_ENVIRONMENT).is_none()
        {
            errors.push(format!(
                "{DIFFERENCES_FILE}: difference '{INHERITED_ENVIRONMENT}' is missing; a setting of \
                 {ENVIRONMENT_API} in code goes with it"
            ));
        }
        // Code leaves a mock of such an API with this difference.
        if cat.apis.iter().any(|a| a.only_waits) && cat.difference_by_id(ESCAPED_MOCK).is_none() {
            errors.push(format!(
                "{DIFFERENCES_FILE}: difference '{ESCAPED_MOCK}' is missing; code moves away \
                 from a mock of an API marked only_waits with it"
            ));
        }
        if errors.is_empty() {
            Ok(cat)
        } else {
            Err(CatalogueError(errors))
        }
    }

    fn add_difference(&mut self, mut difference: Difference, errors: &mut Vec<String>) {
        let at = format!("{DIFFERENCES_FILE}: difference '{}'", difference.id);
        let kebab =
            |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        if !kebab(&difference.id) {
            errors.push(format!("{at}: an id is lower-case words joined by '-'"));
        }
        if self.difference_by_id(&difference.id).is_some() {
            errors.push(format!("{at}: the id is used twice"));
        }
        difference.summary = one_line(&difference.summary);
        difference.guidance = one_line(&difference.guidance);
        if !difference.summary.ends_with('.') || difference.summary.contains(". ") {
            errors.push(format!("{at}: the summary is one sentence"));
        }
        if difference.examples.iter().all(|e| e.after.is_none()) {
            errors.push(format!(
                "{at}: has no [[difference.example]] with an `after`: what accepting it \
                 alone rewrites"
            ));
        }
        let subject = &difference.commit_summary;
        if subject.chars().count() > 50 || subject.ends_with('.') || subject.is_empty() {
            errors.push(format!(
                "{at}: commit_summary must have 1 to 50 characters and no final period"
            ));
        }
        self.differences.push(difference);
    }

    fn differences_named(
        &self,
        ids: &[String],
        at: &str,
        problems: &mut Vec<String>,
    ) -> Vec<DifferenceId> {
        ids.iter()
            .filter_map(|id| {
                let found = self.difference_by_id(id);
                if found.is_none() {
                    problems.push(format!(
                        "{at}names unknown difference '{id}' (see {DIFFERENCES_FILE})"
                    ));
                }
                found
            })
            .collect()
    }

    fn add_api(&mut self, def: &ApiDef, family: usize, file: &str, errors: &mut Vec<String>) {
        const ORIGINAL_MODULE_PREFIX: &str = "__original_module_";
        let id = self.apis.len();
        for name in std::iter::once(&def.name).chain(&def.aliases) {
            // Or a module that only monkey-patching makes (its
            // `__original_module_threading`).
            let dotted_outside = name
                .split_once('.')
                .is_some_and(|(top, _)| top != "eventlet" && !top.contains(':'))
                || name.starts_with(ORIGINAL_MODULE_PREFIX);
            if def.library != dotted_outside {
                errors.push(format!(
                    "{file}: API '{name}' is not an eventlet name (an API of another library \
                     that runs on eventlet is a dotted name, and a module only monkey-patching \
                     makes is `__original_module_NAME`: either is marked `library = true`)"
                ));
            }
            if !def.library && !name.starts_with("eventlet") {
                errors.push(format!("{file}: API '{name}' is not an eventlet name"));
            }
            if self.api_index.insert(name.clone(), id).is_some() {
                errors.push(format!("{file}: API name '{name}' is defined twice"));
            }
        }
        if !def.green_members.is_empty() && !def.green {
            errors.push(format!(
                "{file}: API '{}' names green_members but is not green = true",
                def.name
            ));
        }
        if !def.per_thread_members.is_empty() && !def.per_thread {
            errors.push(format!(
                "{file}: API '{}' names per_thread_members but is not per_thread = true",
                def.name
            ));
        }
        for wrapper in &def.wrappers {
            if !def.monkey_patch || !wrapper.function.contains('.') {
                errors.push(format!(
                    "{file}: wrapper '{}' of '{}': a wrapper is the dotted name of an \
                     installed function calling an API marked monkey_patch = true",
                    wrapper.function, def.name
                ));
            }
            for module in &wrapper.some_runs {
                if !PATCHABLE.contains(&module.as_str()) {
                    errors.push(format!(
                        "{file}: wrapper '{}' patches '{module}' in some runs, which \
                         monkey_patch() does not know (one of {})",
                        wrapper.function,
                        PATCHABLE.join(", ")
                    ));
                }
            }
        }
        self.apis.push(Api {
            name: def.name.clone(),
            aliases: def.aliases.clone(),
            family,
            guidance: one_line(&def.guidance),
            green: def.green,
            green_members: def.green_members.clone(),
            per_thread: def.per_thread,
            per_thread_members: def.per_thread_members.clone(),
            looks_up: def.looks_up.clone(),
            monkey_patch: def.monkey_patch,
            library: def.library,
            called_by: def.called_by.clone(),
            only_waits: def.only_waits,
            silences_errors: def.silences_errors,
            wrappers: def
                .wrappers
                .iter()
                .map(|w| PatchWrapper {
                    function: w.function.clone(),
                    some_runs: w.some_runs.clone(),
                })
                .collect(),
            background_calls: def.background_calls.clone(),
            calls: Vec::new(),
            provided_by: def.provided_by.clone(),
        });
    }

    fn add_helper(&mut self, def: &HelperDef, file: &str, errors: &mut Vec<String>) {
        let at = format!("{file}: helper '{}'", def.name);
        if self.helper(&def.name).is_some() {
            errors.push(format!("{at}: the name is used twice"));
            return;
        }
        let public = public_name(&def.name);
        if let Some(other) = self.helpers.iter().find(|h| h.public_name() == public) {
            errors.push(format!(
                "{at}: its public name '{public}' is helper '{}''s too",
                other.name
            ));
            return;
        }
        let code = match Template::parse(def.code.trim()) {
            Ok(code) => code,
            Err(e) => {
                errors.push(format!("{at}: {e}"));
                return;
            }
        };
        if code.params().next().is_some() {
            errors.push(format!(
                "{at}: its code may only name modules (`{{@module}}`) and helpers declared \
                 before it (`{{def:name}}`)"
            ));
            return;
        }
        if let Some(unknown) = code.helpers().find(|h| self.helper(h).is_none()) {
            errors.push(format!(
                "{at}: its code calls '{unknown}', which is not a helper declared before it"
            ));
            return;
        }
        let helper = Helper {
            name: def.name.clone(),
            code,
        };
        // The code lands in projects whose style checks allow 79 columns.
        if let Some(long) = helper
            .render(|m| m.rsplit(':').next().unwrap_or(m).to_owned(), false)
            .lines()
            .find(|l| l.chars().count() > MAX_LINE)
        {
            errors.push(format!(
                "{at}: a line is longer than {MAX_LINE} characters: {long:?}"
            ));
            return;
        }
        let python = |public| helper.render(|m| m.replace([':', '.'], "_"), public);
        let checked = check_definition(&python(false), &def.name).and_then(|()| {
            check_definition(&python(true), public).map_err(|why| {
                format!("as a shared helpers module defines it, named '{public}', {why}")
            })
        });
        match checked {
            Ok(()) => self.helpers.push(helper),
            Err(why) => errors.push(format!("{at}: {why}")),
        }
    }

    /// A blocking call's receivers are catalogued APIs or their members.
    fn check_blocking(&self, call: &BlockingCall, problems: &mut Vec<String>) {
        for receiver in &call.receivers {
            let known = std::iter::successors(Some(receiver.as_str()), |name| {
                name.rsplit_once('.').map(|(parent, _)| parent)
            })
            .any(|name| self.api(name).is_some());
            if !known {
                problems.push(format!("`blocking` names unknown receiver '{receiver}'"));
            }
        }
    }

    /// The ids of the APIs `names` names; each unknown name is passed to
    /// `unknown`.
    fn api_ids(&self, names: &[String], mut unknown: impl FnMut(&str)) -> Vec<ApiId> {
        names
            .iter()
            .filter_map(|name| {
                let id = self.api_index.get(name).copied();
                if id.is_none() {
                    unknown(name);
                }
                id
            })
            .collect()
    }

    fn compile_transform(
        &self,
        def: &TransformDef,
        family: usize,
        project: bool,
    ) -> Result<Transform, Vec<String>> {
        let mut problems = Vec::new();
        let apis = self.api_ids(&def.apis, |name| {
            problems.push(format!("names unknown API '{name}'"));
        });
        let params: Vec<Param> = def.params.iter().map(|p| parse_param(p)).collect();
        if def.shape == Shape::Reference && !params.is_empty() {
            problems.push("a reference transform takes no params".into());
        }
        if def.shape == Shape::MockTarget {
            // Empty drops an expected keyword argument (`executor='eventlet'`).
            let literal = |t: &String| {
                t.is_empty()
                    || t.split('.').all(|p| {
                        !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
            };
            if !params.is_empty()
                || !def.case.is_empty()
                || def
                    .replace
                    .iter()
                    .chain(def.targets.values())
                    .any(|t| !literal(t))
            {
                problems.push("a mock-target transform takes no params or cases, and its targets are dotted names (or empty)".into());
            }
        }
        let identifier =
            |m: &str| m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !m.is_empty();
        let mock_form = match def.mock_form.as_deref() {
            None => MockForm::Target,
            Some(word) => match MockForm::parse(word) {
                Some(form) if def.shape == Shape::MockTarget && def.replace.is_some() => form,
                Some(_) => {
                    problems.push(
                        "only a mock-target transform with a replacement has a mock_form".into(),
                    );
                    MockForm::Target
                }
                None => {
                    problems.push(format!(
                        "unknown mock_form '{word}' (expected one of {})",
                        MockForm::WORDS
                    ));
                    MockForm::Target
                }
            },
        };
        match &def.call_after_assignment {
            Some(method) if def.shape != Shape::Call || !identifier(method) => {
                problems.push("call_after_assignment names a method, in a call transform".into())
            }
            _ => {}
        }
        if def.shape != Shape::Call && def.members.is_some() {
            problems
                .push("only a call transform can follow the object it creates (`members`)".into());
        }
        for (member, rule) in def.members.iter().flatten() {
            // Read uncalled, a member can change its name, nothing more.
            let renamed_only = rule.args == ArgsRule::None
                && rule.empty_args.is_none()
                && rule.then.is_none()
                && rule.result == ResultRule::Any
                && rule
                    .to
                    .as_deref()
                    .is_none_or(|to| to.chars().all(|c| c.is_alphanumeric() || c == '_'));
            if rule.bound && !renamed_only {
                problems.push(format!(
                    "member '{member}': `bound` needs args = \"none\", a plain new name in `to` \
                     and no `empty_args`, `then` or `result`"
                ));
            }
            if rule.with_block.is_some() && !rule.last {
                problems.push(format!(
                    "member '{member}': `with_block` needs `last`, the object's end"
                ));
            }
            if rule.then_left_out.is_some() && rule.then.is_none() {
                problems.push(format!(
                    "member '{member}': `then_left_out` needs `then`, the text it leaves out"
                ));
            }
            for (key, id) in rule.differences() {
                if let Some(id) = id {
                    let at = format!("member '{member}': `{key}` ");
                    self.differences_named(&[id.to_owned()], &at, &mut problems);
                }
            }
            for piece in rule.then.iter().flat_map(|t| &t.pieces) {
                match piece {
                    Piece::Text(_) => {}
                    Piece::Helper(h) if self.helper(h).is_some() => {}
                    Piece::Helper(h) => problems.push(format!(
                        "member '{member}': `then` uses unknown helper '{h}'"
                    )),
                    _ => problems.push(format!(
                        "member '{member}': `then` may only hold text and helpers (`{{def:name}}`)"
                    )),
                }
            }
        }
        let requires = def
            .requires
            .iter()
            .filter_map(|r| parse_requirement(r).map_err(|e| problems.push(e)).ok())
            .collect();
        let guards = def
            .guards
            .iter()
            .filter_map(|g| parse_guard(g).map_err(|e| problems.push(e)).ok())
            .collect();

        let mut case_defs: Vec<CaseDef> = Vec::new();
        // `replace` (or, without cases, `targets` alone) is a case with no condition.
        if def.replace.is_some() || (def.case.is_empty() && !def.targets.is_empty()) {
            case_defs.push(CaseDef {
                when: BTreeMap::new(),
                replace: def.replace.clone(),
                manual: None,
                safety: None,
                differences: Vec::new(),
            });
        }
        case_defs.extend(def.case.iter().map(|c| CaseDef {
            when: c.when.clone(),
            replace: c.replace.clone(),
            manual: c.manual.clone(),
            safety: c.safety,
            differences: c.differences.clone(),
        }));
        let differences = self.differences_named(&def.differences, "", &mut problems);
        if (def.safety == Safety::Review) == differences.is_empty() {
            problems.push(
                "a review transform names its behaviour differences (`differences`), and \
                 only a review transform does"
                    .into(),
            );
        }
        let block = match (&def.strategy, &def.blocking, def.shape) {
            (Some(word), Some(call), Shape::Block) => {
                self.check_blocking(call, &mut problems);
                match BlockStrategy::parse(word) {
                    Some(strategy) => {
                        if strategy == BlockStrategy::TimeoutRaiseIfFalse
                            && def.replace.as_deref() != Some(RAISED)
                        {
                            problems.push(format!(
                                "a '{word}' block catches what it raises: `replace = \"{}\"`",
                                RAISED
                            ));
                        }
                        Some(BlockRule {
                            strategy,
                            call: call.clone(),
                        })
                    }
                    None => {
                        problems.push(format!(
                            "unknown block strategy '{word}' (expected one of {})",
                            BlockStrategy::WORDS
                        ));
                        None
                    }
                }
            }
            (_, _, Shape::Block) => {
                problems
                    .push("a block transform names its `strategy` and its `blocking` call".into());
                None
            }
            (_, Some(_), _) => {
                problems.push("only a block transform has a `blocking` call".into());
                None
            }
            _ => None,
        };
        let strategy = match (&def.strategy, def.shape) {
            (_, Shape::Block) => None,
            (Some(word), Shape::Config) => match ConfigStrategy::parse(word) {
                Some(s) => Some(s),
                None => {
                    problems.push(format!(
                        "unknown strategy '{word}' (expected one of {})",
                        ConfigStrategy::WORDS
                    ));
                    None
                }
            },
            (None, Shape::Config) => {
                problems.push("a config transform names its `strategy`".into());
                None
            }
            (Some(_), _) => {
                problems.push("only a config transform has a `strategy`".into());
                None
            }
            (None, _) => None,
        };
        if case_defs.is_empty() && !matches!(def.shape, Shape::Config | Shape::Block) {
            problems.push("has neither `replace`, `targets` nor `case`".into());
        }
        let mut cases = Vec::new();
        for (n, c) in case_defs.iter().enumerate() {
            let at = format!("case {}", n + 1);
            let mut when = Vec::new();
            for (param, word) in &c.when {
                let Some(index) = params.iter().position(|p| &p.name == param) else {
                    problems.push(format!("{at}: `when` names unknown param '{param}'"));
                    continue;
                };
                match Predicate::parse(word) {
                    Some(p) => when.push((index, p)),
                    None => problems.push(format!(
                        "{at}: unknown predicate '{word}' (expected one of {})",
                        Predicate::WORDS
                    )),
                }
            }
            let action = match (&c.replace, &c.manual) {
                (Some(_), Some(_)) => {
                    problems.push(format!("{at}: has both `replace` and `manual`"));
                    continue;
                }
                (None, Some(reason)) => CaseAction::Manual(one_line(reason)),
                (replace, None) => {
                    let mut targets = HashMap::new();
                    for (api_name, text) in &def.targets {
                        match self.api_index.get(api_name) {
                            Some(id) if apis.contains(id) => {
                                targets.insert(*id, text.clone());
                            }
                            _ => problems.push(format!(
                                "`targets` names '{api_name}', which is not in `apis`"
                            )),
                        }
                    }
                    // A case's `replace` may say `{target}` for the API's target.
                    let mut per_api = HashMap::new();
                    for id in &apis {
                        let text = match (replace, targets.get(id)) {
                            (Some(r), Some(t)) => r.replace(TARGET, t),
                            (Some(r), None) if !r.contains(TARGET) => r.clone(),
                            (None, Some(t)) => t.clone(),
                            _ => continue,
                        };
                        per_api.insert(*id, text);
                    }
                    if let Some(missing) = apis.iter().find(|id| !per_api.contains_key(id)) {
                        problems.push(format!(
                            "{at}: no replacement for API '{}'",
                            self.apis[*missing].name
                        ));
                    }
                    let mut compiled = HashMap::new();
                    for (id, text) in per_api {
                        match Template::parse(&text) {
                            Ok(t) => {
                                for p in t.params() {
                                    let rest_form = |q: &Param| {
                                        q.rest
                                            && [REST_AS_TUPLE, REST_AS_DICT]
                                                .iter()
                                                .any(|s| p == format!("{}{s}", q.name))
                                    };
                                    if p != ALL_ARGUMENTS
                                        && !params.iter().any(|q| q.name == p || rest_form(q))
                                    {
                                        problems.push(format!(
                                            "{at}: template {text:?} uses unknown param '{p}'"
                                        ));
                                    }
                                }
                                for p in t.imports_of() {
                                    if c.when.get(p).map(String::as_str) != Some("stdlib-module") {
                                        problems.push(format!(
                                            "{at}: template {text:?} imports the module '{p}' \
                                             names, which needs `when = {{ {p} = \"stdlib-module\" }}`"
                                        ));
                                    }
                                }
                                for h in t.helpers() {
                                    if self.helper(h).is_none() {
                                        problems.push(format!(
                                            "{at}: template {text:?} uses unknown helper '{h}'"
                                        ));
                                    }
                                }
                                compiled.insert(id, t);
                            }
                            Err(e) => problems.push(format!("{at}: {e}")),
                        }
                    }
                    CaseAction::Replace(compiled)
                }
            };
            let mut case_differences = differences.clone();
            case_differences.extend(self.differences_named(
                &c.differences,
                &format!("{at}: "),
                &mut problems,
            ));
            if c.safety.is_some() && !c.differences.is_empty() {
                problems.push(format!(
                    "{at}: a case with differences is review level; it names no `safety`"
                ));
            }
            let safety = if case_differences.is_empty() {
                c.safety.unwrap_or(def.safety)
            } else {
                Safety::Review
            };
            if safety == Safety::Review && case_differences.is_empty() {
                problems.push(format!("{at}: a review case names its `differences`"));
            }
            cases.push(Case {
                when,
                action,
                safety,
                differences: case_differences,
            });
        }
        if def.docs.trim().is_empty() || def.summary.trim().is_empty() {
            problems.push("needs a summary and docs".into());
        }
        // Built-in transforms are tested by their examples; a project's may
        // have them too (`eventless transforms check` runs them).
        if def.example.is_empty() && !project {
            problems.push(
                "has no [[transform.example]]: every transform is tested by its examples".into(),
            );
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Transform {
            id: def.id.clone(),
            family,
            summary: def.summary.trim().to_owned(),
            docs: def.docs.trim().to_owned(),
            safety: def.safety,
            shape: def.shape,
            apis,
            params,
            requires,
            guards,
            members: def.members.clone(),
            escapes: def.escapes,
            call_after_assignment: def.call_after_assignment.clone(),
            mock_form,
            strategy,
            block,
            cases,
            examples: def.example.clone(),
            project,
        })
    }
}

fn yes() -> bool {
    true
}

/// Guidance is shown on one report line, however the TOML wrapped it.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_param(text: &str) -> Param {
    if let Some(name) = text.strip_prefix('*') {
        return Param {
            name: name.to_owned(),
            default: None,
            rest: true,
        };
    }
    match text.split_once('=') {
        Some((name, default)) => Param {
            name: name.trim().to_owned(),
            default: Some(default.trim().to_owned()),
            rest: false,
        },
        None => Param {
            name: text.trim().to_owned(),
            default: None,
            rest: false,
        },
    }
}

fn parse_requirement(text: &str) -> Result<Requirement, String> {
    match text.split_once(':') {
        None if text == "native" => Ok(Requirement::Native),
        None if text == "unpatched" => Ok(Requirement::Unpatched),
        None if text == "eventlet-free" => Ok(Requirement::EventletFree),
        None if text == "errors-printed" => Ok(Requirement::ErrorsPrinted),
        None if text == "same-resolver" => Ok(Requirement::SameResolver),
        Some(("native-or-patched", module)) if PATCHABLE.contains(&module) => {
            Ok(Requirement::NativeOrPatched(module.to_owned()))
        }
        Some(("patched", module)) if PATCHABLE.contains(&module) => {
            Ok(Requirement::Patched(module.to_owned()))
        }
        _ => Err(format!(
            "unknown requirement '{text}' (expected native, unpatched, eventlet-free, errors-printed, same-resolver, native-or-patched:MODULE or patched:MODULE, MODULE one of {})",
            PATCHABLE.join(", ")
        )),
    }
}

fn parse_guard(text: &str) -> Result<Guard, String> {
    let (word, arg) = match text.split_once(':') {
        Some((w, a)) => (w, Some(a)),
        None => (text, None),
    };
    match (word, arg) {
        ("only-called", None) => Ok(Guard::OnlyCalled),
        ("identity-only", None) => Ok(Guard::IdentityOnly),
        ("all-in-file", None) => Ok(Guard::AllInFile),
        ("with-block", None) => Ok(Guard::WithBlock),
        ("value-used", None) => Ok(Guard::ValueUsed),
        ("member-calls-positional", None) => Ok(Guard::MemberCallsPositional),
        ("members-only", None) => Ok(Guard::MembersOnly),
        ("quiet-target", None) => Ok(Guard::QuietTarget),
        ("in-test-module", None) => Ok(Guard::InTestModule),
        ("not-rescheduling", None) => Ok(Guard::NotRescheduling),
        ("not-deferred-closure", None) => Ok(Guard::NotDeferredClosure),
        ("no-keyword", Some(k)) if !k.is_empty() => Ok(Guard::NoKeyword(k.to_owned())),
        ("no-member", Some(m)) if !m.is_empty() => Ok(Guard::NoMember(m.to_owned())),
        ("no-identifier", Some(n)) if !n.is_empty() => Ok(Guard::NoIdentifier(n.to_owned())),
        ("follows", Some(api)) if !api.is_empty() => Ok(Guard::Follows(api.to_owned())),
        ("package-at-least", Some(requirement)) => {
            let release = requirement
                .split_once(">=")
                .and_then(|(package, release)| Some((package.trim(), Release::parse(release)?)))
                .filter(|(package, _)| !package.is_empty());
            match release {
                Some((package, release)) => Ok(Guard::PackageAtLeast(package.to_owned(), release)),
                None => Err(format!(
                    "guard '{text}': expected package-at-least:PACKAGE>=RELEASE \
                     (package-at-least:oslo.messaging>=12.0.0)"
                )),
            }
        }
        _ => Err(format!(
            "unknown guard '{text}' (expected only-called, identity-only, all-in-file, with-block, value-used, member-calls-positional, members-only, quiet-target, in-test-module, \
             not-rescheduling, not-deferred-closure, no-keyword:NAME, no-member:NAME, no-identifier:NAME, follows:API or \
             package-at-least:PACKAGE>=RELEASE)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_loads() {
        let cat = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(cat.api("eventlet.sleep").is_some());
        assert!(!cat.transforms.is_empty());
    }

    #[test]
    fn a_followed_api_must_exist_and_its_rewrites_follow_nothing() {
        let catalogue = |guards: &str| {
            format!(
                r#"
family = "f"
title = "t"
[[api]]
name = "eventlet.a"
guidance = "g"
[[api]]
name = "eventlet.b"
guidance = "g"
[[transform]]
id = "ta"
summary = "s"
docs = "d"
safety = "safe"
shape = "reference"
apis = ["eventlet.a"]
guards = [{guards}]
[transform.targets]
"eventlet.a" = "{{@x}}.a"
[[transform.example]]
before = "import eventlet\nf = eventlet.a\n"
after = "import x\nf = x.a\n"
[[transform]]
id = "tb"
summary = "s"
docs = "d"
safety = "safe"
shape = "reference"
apis = ["eventlet.b"]
guards = ["follows:eventlet.a"]
[transform.targets]
"eventlet.b" = "{{@x}}.b"
[[transform.example]]
before = "import eventlet\nf = eventlet.b\n"
after = "import x\nf = x.b\n"
"#
            )
        };
        let error = |guards: &str| {
            Catalogue::load(&[("f.toml", &catalogue(guards))])
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(error(""), None);
        let unknown = error(r#""follows:eventlet.nope""#).unwrap();
        assert!(
            unknown.contains("follows:eventlet.nope names an unknown API"),
            "{unknown}"
        );
        let chained = error(r#""follows:eventlet.b""#).unwrap();
        assert!(
            chained
                .contains("transform 'tb': guard follows:eventlet.a, whose transform 'ta' follows"),
            "{chained}"
        );
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let bad = r#"
family = "f"
title = "t"
[[api]]
name = "eventlet.x"
guidance = "g"
[[transform]]
id = "t1"
summary = "s"
docs = "d"
safety = "safe"
shape = "call"
apis = ["eventlet.x", "eventlet.nope"]
params = ["a"]
[[transform.case]]
when = { a = "tiny" }
replace = "{b}"
[[transform.case]]
replace = "{import:a}"
"#;
        let err = Catalogue::load(&[("bad.toml", bad)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.toml: transform 't1': names unknown API 'eventlet.nope'"),
            "{err}"
        );
        assert!(err.contains("unknown predicate 'tiny'"), "{err}");
        assert!(err.contains("unknown param 'b'"), "{err}");
        assert!(
            err.contains(
                "imports the module 'a' names, which needs `when = { a = \"stdlib-module\" }`"
            ),
            "{err}"
        );
        assert!(err.contains("has no [[transform.example]]"), "{err}");
    }

    #[test]
    fn block_transforms_name_known_receivers_and_catch_what_they_raise() {
        let bad = r#"
family = "f"
title = "t"
[[api]]
name = "eventlet.x"
guidance = "g"
[[transform]]
id = "t1"
summary = "s"
docs = "d"
safety = "safe"
shape = "block"
strategy = "timeout-raise-if-false"
blocking = { method = "wait", receivers = ["eventlet.x.Thing", "other.Thing"] }
apis = ["eventlet.x"]
replace = "ValueError"
[[transform.example]]
before = "import eventlet"
[[transform]]
id = "t2"
summary = "s"
docs = "d"
safety = "safe"
shape = "block"
strategy = "timeout-argument"
blocking = { method = "wait", receivers = ["eventlet.x.Thing"], receiver_transform = "t9" }
apis = ["eventlet.x"]
replace = "ValueError"
[[transform.example]]
before = "import eventlet"
"#;
        let err = Catalogue::load(&[("bad.toml", bad)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown receiver 'other.Thing'"), "{err}");
        assert!(!err.contains("'eventlet.x.Thing'"), "{err}");
        assert!(err.contains("catches what it raises"), "{err}");
        assert!(err.contains("names unknown transform 't9'"), "{err}");
    }

    #[test]
    fn helpers_must_be_one_definition_and_known_to_templates() {
        let bad = r#"
family = "f"
title = "t"
[[api]]
name = "eventlet.x"
guidance = "g"
[[helper]]
name = "_run"
code = "x = {@time}.time()"
[[helper]]
name = "_first"
code = "def _first():\n    return {def:_run}()"
[[helper]]
name = "_long"
code = "def _long():\n    return {@concurrent.futures}.Future().add_done_callback(lambda future: future.result())"
[[helper]]
name = "_yield"
code = "def _yield():\n    pass"
[[helper]]
name = "_second"
code = "def _second():\n    pass"
[[helper]]
name = "second"
code = "def second():\n    pass"
[[transform]]
id = "t1"
summary = "s"
docs = "d"
safety = "safe"
shape = "call"
apis = ["eventlet.x"]
replace = "{def:_walk}()"
[[transform.example]]
before = "import eventlet"
"#;
        let err = Catalogue::load(&[("bad.toml", bad)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "bad.toml: helper '_run': its code must be one `def _run(...)` or `class _run`"
            ),
            "{err}"
        );
        assert!(err.contains("uses unknown helper '_walk'"), "{err}");
        // `_run` was refused, so `_first` calls no helper declared before it.
        assert!(
            err.contains(
                "helper '_first': its code calls '_run', which is not a helper declared before it"
            ),
            "{err}"
        );
        assert!(
            err.contains("helper '_long': a line is longer than 79 characters"),
            "{err}"
        );
        // Shared helpers modules define them without the underscore.
        assert!(
            err.contains(
                "helper '_yield': as a shared helpers module defines it, named 'yield', its \
                 code does not parse"
            ),
            "{err}"
        );
        assert!(
            err.contains("helper 'second': its public name 'second' is helper '_second''s too"),
            "{err}"
        );
    }

    #[test]
    fn syntax_errors_in_toml_are_reported() {
        let err = Catalogue::load(&[("x.toml", "family = ")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.toml"), "{err}");
    }
}
