//! The license comment a new module of a project opens with: the one most
//! of its neighbours open with (OpenStack modules start with the Apache
//! License's notice), without their copyright lines, which belong to each
//! file's authors.

/// When more than half of `modules` (the texts of a folder's non-empty
/// modules) open with a license header, the one most of them open with,
/// copyright lines left out; none on a tie. (Headers vary in indent and
/// wrapping, so that the most common may be shared by fewer than half.)
pub fn common(modules: &[&str]) -> Option<String> {
    let headers: Vec<String> = modules.iter().filter_map(|text| header(text)).collect();
    if 2 * headers.len() <= modules.len() {
        return None;
    }
    let shared = |candidate: &String| headers.iter().filter(|h| *h == candidate).count();
    let most = headers.iter().max_by_key(|h| shared(h))?;
    let tied = headers
        .iter()
        .any(|h| h != most && shared(h) == shared(most));
    (!tied).then(|| most.clone())
}

/// The comment lines a module opens with (after a `#!` line and blank
/// lines), from the paragraph that speaks of a license (paragraphs end at
/// bare `#` lines; those before it name the authors, and a copyright
/// statement may run over several lines), without copyright lines and
/// encoding declarations; `None` unless some paragraph speaks of a
/// license.
fn header(text: &str) -> Option<String> {
    let comments: Vec<&str> = text
        .lines()
        // oslo.messaging's modules open with a blank line.
        .skip_while(|line| line.starts_with("#!") || line.trim().is_empty())
        .take_while(|line| line.starts_with('#'))
        .map(str::trim_end)
        .filter(|line| crate::source::encoding_declaration(line).is_none())
        .collect();
    let bare = |line: &&str| *line == "#";
    let licensed = |line: &&str| line.to_ascii_lowercase().contains("license");
    let first_licensed = comments.iter().position(licensed)?;
    let paragraph = comments[..first_licensed]
        .iter()
        .rposition(bare)
        .map_or(0, |b| b + 1);
    let kept: Vec<&str> = comments[paragraph..]
        .iter()
        .copied()
        .filter(|line| {
            let lower = line.to_ascii_lowercase();
            !(lower.contains("copyright") || lower.contains("all rights reserved"))
        })
        .collect();
    let start = kept.iter().position(|l| !bare(l))?;
    let end = kept.iter().rposition(|l| !bare(l))? + 1;
    Some(kept[start..end].iter().map(|l| format!("{l}\n")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const APACHE: &str = "#    Licensed under the Apache License, Version 2.0 (the \"License\");\n\
                          #    you may not use this file except in compliance with the License.\n";

    #[test]
    fn the_header_most_modules_share_without_copyright_lines() {
        let a = format!("# Copyright 2012 A\n# All Rights Reserved.\n#\n{APACHE}\nimport os\n");
        let b = format!(
            "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# Copyright (c) 2020 B\n#\n{APACHE}#\n\"\"\"B.\"\"\"\n"
        );
        let c = "# Licensed under the MIT License.\nimport sys\n";
        assert_eq!(common(&[&a, &b, c]).as_deref(), Some(APACHE));
    }

    #[test]
    fn a_header_after_blank_lines_counts() {
        let a = format!("\n# Copyright 2013 A\n#\n{APACHE}\nimport os\n");
        assert_eq!(common(&[&a, &a, "import sys\n"]).as_deref(), Some(APACHE));
    }

    #[test]
    fn the_most_common_of_varied_headers_when_most_modules_have_one() {
        let a = format!("# Copyright 2012 A\n{APACHE}");
        let wrapped = "# Licensed under the Apache License, Version 2.0 (the \"License\"); you may\n\
                       # not use this file except in compliance with the License.\n";
        let other = "# Licensed under the MIT License.\n";
        assert_eq!(
            common(&[&a, &a, wrapped, other, "import os\n"]).as_deref(),
            Some(APACHE)
        );
    }

    #[test]
    fn a_copyright_statement_over_several_lines_is_left_out_whole() {
        let nasa = format!(
            "# Copyright 2010 United States Government as represented by the\n\
             # Administrator of the National Aeronautics and Space Administration.\n\
             # All Rights Reserved.\n#\n{APACHE}\n\"\"\"Base.\"\"\"\n"
        );
        assert_eq!(common(&[&nasa]).as_deref(), Some(APACHE));
    }

    #[test]
    fn none_unless_more_than_half_have_one_and_one_leads() {
        let a = format!("# Copyright 2012 A\n{APACHE}");
        let other = "# Licensed under the MIT License.\n";
        assert_eq!(common(&[&a, other]), None);
        assert_eq!(common(&[&a, "import os\n"]), None);
        assert_eq!(common(&["import os\n", "# A note.\nimport sys\n"]), None);
        assert_eq!(common(&[]), None);
    }
}
