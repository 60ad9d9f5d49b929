//! setup.cfg as packaging reads it: sections of `key = value` entries, a
//! value going on over the indented lines under its key (`console_scripts
//! =` then one `name = module:function` per line).

/// One key of a section, with the lines of its value (the text after `=`
/// when there is some, then each indented line), comments and blank lines
/// left out.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry<'t> {
    pub section: &'t str,
    pub key: &'t str,
    pub lines: Vec<&'t str>,
}

/// The entries of `text`, in file order.
pub fn entries(text: &str) -> Vec<Entry<'_>> {
    let mut found: Vec<Entry> = Vec::new();
    let mut section = "";
    // Whether the last unindented line began an entry that goes on.
    let mut open = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if indented {
            if let Some(entry) = found.last_mut().filter(|_| open) {
                entry.lines.push(trimmed);
            }
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            section = name.trim();
            open = false;
            continue;
        }
        let (key, value) = trimmed.split_once('=').unwrap_or((trimmed, ""));
        let value = value.trim();
        found.push(Entry {
            section,
            key: key.trim(),
            lines: (!value.is_empty()).then_some(value).into_iter().collect(),
        });
        open = true;
    }
    found
}

/// The lines of `key`'s value in `section`, if the file sets it.
pub fn value<'t>(text: &'t str, section: &str, key: &str) -> Option<Vec<&'t str>> {
    entries(text)
        .into_iter()
        .find(|e| e.section == section && e.key == key)
        .map(|e| e.lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_goes_on_over_the_indented_lines_under_its_key() {
        let cfg = "[metadata]\nname = nova\n# a comment\n\n[options]\n\
                   install_requires =\n    pbr>=2.0\n\n    oslo.messaging>=14.1.0\n\
                   python_requires = >=3.8\n[entry_points]\nconsole_scripts = a = m:f\n    \
                   b = n:g\n";
        assert_eq!(value(cfg, "metadata", "name"), Some(vec!["nova"]));
        assert_eq!(
            value(cfg, "options", "install_requires"),
            Some(vec!["pbr>=2.0", "oslo.messaging>=14.1.0"])
        );
        assert_eq!(
            value(cfg, "options", "python_requires"),
            Some(vec![">=3.8"])
        );
        assert_eq!(
            value(cfg, "entry_points", "console_scripts"),
            Some(vec!["a = m:f", "b = n:g"])
        );
        assert_eq!(value(cfg, "metadata", "version"), None);
    }
}
