//! OpenStack-style commit messages and Gerrit's Change-Id.
//!
//! A summary of at most 50 characters without a trailing period, a body
//! wrapped at 72 columns, and the trailers in the last paragraph:
//! bug and blueprint tags, `Signed-off-by`, and `Change-Id` last, as
//! Gerrit's current commit-msg hook places it.

use git2::{ObjectType, Oid};

pub const SUMMARY_MAX: usize = 50;
pub const BODY_WIDTH: usize = 72;

/// Cuts a summary longer than the limit, marking the cut with `...`.
pub fn truncate(summary: &str) -> String {
    if summary.chars().count() <= SUMMARY_MAX {
        return summary.to_owned();
    }
    let cut: String = summary.chars().take(SUMMARY_MAX - 3).collect();
    format!("{}...", cut.trim_end())
}

/// Wraps prose at `width`; lines starting with `* ` keep a hanging indent.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    for paragraph_line in text.lines() {
        let (first_prefix, next_prefix) = if paragraph_line.starts_with("* ") {
            ("* ", "  ")
        } else {
            ("", "")
        };
        let body = paragraph_line
            .strip_prefix(first_prefix)
            .unwrap_or(paragraph_line);
        let mut line = first_prefix.to_owned();
        for word in body.split_whitespace() {
            let fresh = line.len() == first_prefix.len() || line == next_prefix;
            if !fresh && line.len() + 1 + word.len() > width {
                out.push(std::mem::replace(&mut line, next_prefix.to_owned()));
            }
            if !(line.is_empty() || line == first_prefix || line == next_prefix) {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push(line);
    }
    out.join("\n")
}

/// The Change-Id Gerrit's commit-msg hook computes: the blob hash of the
/// committer ident line, the parent commit (HEAD at commit time, or the
/// empty tree) and the message as written.
pub fn change_id(committer_ident: &str, parent: Option<Oid>, message: &str) -> String {
    const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    let refhash = parent.map_or(EMPTY_TREE.to_owned(), |p| p.to_string());
    let preimage = format!("{committer_ident}\n{refhash}\n{message}");
    let oid =
        Oid::hash_object(ObjectType::Blob, preimage.as_bytes()).expect("hashing bytes in memory");
    format!("I{oid}")
}

/// `git var GIT_COMMITTER_IDENT` for a signature.
pub fn ident_line(sig: &git2::Signature) -> String {
    let when = sig.when();
    let offset = when.offset_minutes();
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{} <{}> {} {sign}{:02}{:02}",
        sig.name().unwrap_or(""),
        sig.email().unwrap_or(""),
        when.seconds(),
        offset.abs() / 60,
        offset.abs() % 60
    )
}

/// Appends trailers to the message's last paragraph when it is already a
/// trailer block, otherwise as a new paragraph.
pub fn with_trailers(message: &str, trailers: &[(String, String)]) -> String {
    if trailers.is_empty() {
        return message.to_owned();
    }
    let body = message.trim_end();
    let last_paragraph = body.rsplit("\n\n").next().unwrap_or("");
    let is_trailer_block = !last_paragraph.is_empty()
        && body.contains("\n\n")
        && last_paragraph.lines().all(is_trailer_line);
    let mut out = body.to_owned();
    out.push_str(if is_trailer_block { "\n" } else { "\n\n" });
    let lines: Vec<String> = trailers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    out.push_str(&lines.join("\n"));
    out.push('\n');
    out
}

fn is_trailer_line(line: &str) -> bool {
    line.split_once(": ").is_some_and(|(key, _)| {
        !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// The value of a trailer in a message, if present.
pub fn trailer<'m>(message: &'m str, key: &str) -> Option<&'m str> {
    message
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_id_is_the_blob_hash_of_ident_parent_and_message() {
        // git hash-object --stdin <<< "A U Thor <a@example.com> 1700000000 +0000\n4b82...\nSubject\n"
        let id = change_id(
            "A U Thor <a@example.com> 1700000000 +0000",
            None,
            "Subject\n",
        );
        let expected = Oid::hash_object(
            ObjectType::Blob,
            b"A U Thor <a@example.com> 1700000000 +0000\n4b825dc642cb6eb9a060e54bf8d69288fbee4904\nSubject\n",
        )
        .unwrap();
        assert_eq!(id, format!("I{expected}"));
        assert_eq!(id.len(), 41);
    }

    #[test]
    fn trailers_join_an_existing_block_or_start_one() {
        let t = vec![("Change-Id".to_string(), "I1".to_string())];
        assert_eq!(
            with_trailers("Sum\n\nBody.\n", &t),
            "Sum\n\nBody.\n\nChange-Id: I1\n"
        );
        assert_eq!(
            with_trailers("Sum\n\nBody.\n\nSigned-off-by: A <a@b>\n", &t),
            "Sum\n\nBody.\n\nSigned-off-by: A <a@b>\nChange-Id: I1\n"
        );
        assert_eq!(trailer("S\n\nChange-Id: I9\n", "Change-Id"), Some("I9"));
    }

    #[test]
    fn wraps_at_72_with_hanging_bullets() {
        let text = format!("* {}", "word ".repeat(40));
        let wrapped = wrap(&text, BODY_WIDTH);
        assert!(wrapped.lines().all(|l| l.len() <= BODY_WIDTH), "{wrapped}");
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("  word")),
            "{wrapped}"
        );
    }
}
