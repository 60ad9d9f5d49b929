//! A rule's help: the catalogue's guidance, and where to read on. eventless
//! publishes no documentation of its own, so the link goes to the Python
//! documentation of what the rewrites put in the API's place, or, for an
//! API no rewrite moves to one stdlib name, to eventlet's migration guide.

use serde_json::{Value, json};

use crate::transform::Catalogue;
use crate::transform::catalogue::StdlibTarget;

const PYTHON_LIBRARY: &str = "https://docs.python.org/3/library";
const MIGRATION_GUIDE: &str = "https://eventlet.readthedocs.io/en/latest/asyncio/migration.html";

/// What a rule says of the API it is for.
pub struct Help {
    /// The catalogue's guidance.
    pub guidance: String,
    /// Where to read on.
    pub uri: String,
    /// What the link shows.
    title: String,
}

impl Help {
    pub fn of(catalogue: &Catalogue, api: &str) -> Help {
        let id = catalogue.api(api);
        let guidance = id.map_or("", |id| catalogue.apis[id].guidance.trim());
        let (uri, title) = match id.and_then(|id| catalogue.stdlib_target(id)) {
            Some(target) => (python_docs(&target), format!("`{}`", dotted(&target))),
            None => (
                MIGRATION_GUIDE.to_owned(),
                "Migrating off of Eventlet".to_owned(),
            ),
        };
        Help {
            guidance: guidance.to_owned(),
            uri,
            title,
        }
    }

    /// SARIF's `help`: the guidance and the link, as text and as Markdown.
    pub fn message(&self) -> Value {
        let Help {
            guidance,
            uri,
            title,
        } = self;
        json!({
            "text": format!("{guidance}\n\nSee {uri}"),
            "markdown": format!("{}\n\nSee [{title}]({uri}).", escape_markdown(guidance)),
        })
    }
}

/// The page of the module and the anchor Sphinx gives the member (or the
/// module): `time.html#time.sleep`, `os.html#module-os`.
fn python_docs(target: &StdlibTarget) -> String {
    let anchor = match &target.member {
        Some(_) => dotted(target),
        None => format!("module-{}", target.module),
    };
    // Page names are lower case (`xml.etree.elementtree.html`).
    let page = target.module.to_lowercase();
    format!("{PYTHON_LIBRARY}/{page}.html#{anchor}")
}

/// Plain text that Markdown shows as written: `*args` is no emphasis,
/// `[x]` no link.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn dotted(target: &StdlibTarget) -> String {
    match &target.member {
        Some(member) => format!("{}.{member}", target.module),
        None => target.module.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_the_python_docs_of_the_stdlib_target_or_the_migration_guide() {
        let catalogue = Catalogue::builtin().unwrap();
        let uri = |api| Help::of(&catalogue, api).uri;
        assert_eq!(
            uri("eventlet.greenthread.sleep"),
            "https://docs.python.org/3/library/time.html#time.sleep"
        );
        assert_eq!(
            uri("eventlet.greenthread.spawn_n"),
            "https://docs.python.org/3/library/threading.html#threading.Thread"
        );
        assert_eq!(
            uri("eventlet.greenpool.GreenPool"),
            "https://docs.python.org/3/library/concurrent.futures.html\
             #concurrent.futures.ThreadPoolExecutor"
        );
        assert_eq!(
            uri("eventlet.green.os"),
            "https://docs.python.org/3/library/os.html#module-os"
        );
        assert_eq!(uri("eventlet.hubs.get_hub"), MIGRATION_GUIDE);
    }

    #[test]
    fn the_help_is_the_guidance_with_the_link() {
        let catalogue = Catalogue::builtin().unwrap();
        let help = Help::of(&catalogue, "eventlet.greenthread.sleep").message();
        let markdown = help["markdown"].as_str().unwrap();
        assert!(
            markdown.starts_with("Use time.sleep(seconds)."),
            "{markdown}"
        );
        assert!(
            markdown.ends_with(
                "See [`time.sleep`](https://docs.python.org/3/library/time.html#time.sleep)."
            ),
            "{markdown}"
        );
        assert!(
            help["text"]
                .as_str()
                .unwrap()
                .contains("Use time.sleep(seconds).")
        );
    }

    #[test]
    fn the_markdown_shows_the_guidance_as_written() {
        assert_eq!(
            escape_markdown("f(*args, **kwargs) -> _GreenPile [x]"),
            "f(\\*args, \\*\\*kwargs) -\\> \\_GreenPile \\[x\\]"
        );
    }
}
