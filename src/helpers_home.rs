//! Where a run's helpers are defined: the project's shared helpers module
//! as the run finds it before the rewrites (where it is, what it holds,
//! which helpers it can take), or each file that calls them when the
//! project has none; and so where each file's helpers are.

use std::path::{Path, PathBuf};

use crate::decide::helper_site::{HelperSite, SharedHelpers};
use crate::outcome::FileResult;
use crate::plan::helpers_module;
use crate::project::helpers_module::{HelpersPlace, Location, locate};
use crate::project::modules::lexical;
use crate::python::license_header;
use crate::source::SourceFile;
use crate::transform::Catalogue;

/// Where a run's helpers are defined.
pub enum Helpers {
    /// In each file that calls them: the project has no helpers module.
    InFiles,
    /// In the project's helpers module.
    Module(HelpersHome),
    /// Nowhere: the configured helpers module cannot be found (why), and
    /// the uses that need a helper stay.
    Unavailable(String, SharedHelpers),
}

impl Helpers {
    /// Where the helpers of the project at `root` go, in the `place` the
    /// run asks for.
    pub fn find(
        catalogue: &Catalogue,
        root: &Path,
        files: &[PathBuf],
        place: &HelpersPlace,
        in_scope: impl Fn(&Path) -> bool,
    ) -> Helpers {
        let configured = match place {
            HelpersPlace::InFiles => return Helpers::InFiles,
            HelpersPlace::Module(dotted) => Some(dotted.as_str()),
            HelpersPlace::Default => None,
        };
        match locate(root, files, configured) {
            Ok(Some(location)) => {
                Helpers::Module(HelpersHome::new(catalogue, location, files, in_scope))
            }
            Ok(None) => Helpers::InFiles,
            Err(why) => {
                let dotted = configured.unwrap_or_default();
                let shared = SharedHelpers::unavailable(catalogue, dotted, &why);
                Helpers::Unavailable(why, shared)
            }
        }
    }
}

/// The project's shared helpers module, during a run.
pub struct HelpersHome {
    pub location: Location,
    /// Its index among the project's files, when it is one.
    pub file: Option<usize>,
    /// Its file as read before the rewrites, when there is one.
    source: Option<SourceFile>,
    shared: SharedHelpers,
}

impl HelpersHome {
    fn new(
        catalogue: &Catalogue,
        location: Location,
        files: &[PathBuf],
        in_scope: impl Fn(&Path) -> bool,
    ) -> HelpersHome {
        let target = lexical(&location.path);
        let file = files.iter().position(|f| lexical(f) == target);
        let exists = location.path.exists();
        let read = exists.then(|| SourceFile::read(&location.path));
        let text = match &read {
            None => Ok(None),
            Some(Ok(source)) => Ok(Some(source.text.as_str())),
            Some(Err(why)) => Err(why.to_string()),
        };
        // An excluded module is left alone, as any file outside the paths.
        let writable = in_scope(&location.path) && (file.is_some() || !exists);
        let shared =
            SharedHelpers::new(catalogue, &location.module, &location.path, text, writable);
        HelpersHome {
            location,
            file,
            source: read.and_then(Result::ok),
            shared,
        }
    }

    /// The text of a new module, before its definitions: the license
    /// header most modules beside it open with, and a docstring.
    pub fn new_module(&self) -> String {
        let header = neighbours_header(&self.location.path);
        helpers_module::new_module(header.as_deref())
    }

    /// Its result before the run adds to it: the file as it is, or a new
    /// one.
    pub fn unchanged(&self) -> FileResult {
        let (source, created) = match &self.source {
            Some(source) => (source.clone(), false),
            None => {
                let empty = SourceFile::from_bytes(self.location.path.clone(), Vec::new());
                (empty.expect("an empty file is UTF-8"), true)
            }
        };
        FileResult {
            source,
            findings: Vec::new(),
            new_text: None,
            error: None,
            created,
        }
    }
}

/// Where the helpers of the project's file `file` are defined.
pub fn site(helpers: &Helpers, file: usize) -> HelperSite<'_> {
    match helpers {
        Helpers::InFiles => HelperSite::InFile,
        Helpers::Module(home) if home.file == Some(file) => HelperSite::Home,
        Helpers::Module(home) => HelperSite::Shared(&home.shared),
        Helpers::Unavailable(_, shared) => HelperSite::Shared(shared),
    }
}

/// The license header most modules beside `path` open with.
fn neighbours_header(path: &Path) -> Option<String> {
    let folder = path.parent()?;
    let mut neighbours: Vec<PathBuf> = std::fs::read_dir(folder)
        .ok()?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "py") && p != path)
        .collect();
    neighbours.sort();
    let texts: Vec<String> = neighbours
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|text| !text.trim().is_empty())
        .collect();
    license_header::common(&texts.iter().map(String::as_str).collect::<Vec<_>>())
}
