//! The batch dashboard: one self-contained HTML page (no script, no
//! external asset) with each repository's progress, the idioms across
//! repositories, and the burndown of uses left over the ledger's runs.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::batch::{Ledger, Outcome};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render(outcomes: &[Outcome], ledger: &Ledger) -> String {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>eventlet removal dashboard</title>\n<style>\
         body{font-family:sans-serif;margin:2em;color:#222}\
         table{border-collapse:collapse;margin-bottom:2em}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}\
         .bar{display:flex;width:320px;height:14px;background:#eee}\
         .rewritten{background:#2e7d32}.manual{background:#ef6c00}\
         .failed{color:#b71c1c}</style></head><body>\n\
         <h1>eventlet removal dashboard</h1>\n",
    );
    let ok: Vec<&Outcome> = outcomes.iter().filter(|o| o.ok).collect();
    let uses: usize = ok.iter().map(|o| o.uses).sum();
    let rewritten: usize = ok.iter().map(|o| o.rewritten).sum();
    let _ = writeln!(
        html,
        "<p id=\"totals\">{} repositories, {} failed: {uses} eventlet uses, {rewritten} rewritten by eventless, {} left for manual work.</p>",
        outcomes.len(),
        outcomes.len() - ok.len(),
        uses - rewritten
    );

    html.push_str("<h2>Repositories</h2>\n<table id=\"repos\"><tr><th>repository</th><th>progress</th><th>rewritten</th><th>review</th><th>manual</th><th>deactivable</th><th>complexity</th></tr>\n");
    for o in outcomes {
        if !o.ok {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td colspan=\"6\" class=\"failed\">failed: {}</td></tr>",
                escape(&o.name),
                escape(o.error.as_deref().unwrap_or(""))
            );
            continue;
        }
        let total = o.uses.max(1) as f64;
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td><div class=\"bar\" title=\"{} of {} uses rewritten\"><div class=\"rewritten\" style=\"width:{:.1}%\"></div><div class=\"manual\" style=\"width:{:.1}%\"></div></div></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/10</td></tr>",
            escape(&o.name),
            o.rewritten,
            o.uses,
            100.0 * o.rewritten as f64 / total,
            100.0 * o.manual as f64 / total,
            o.rewritten,
            o.review_cell(),
            o.manual,
            if o.deactivable { "yes" } else { "no" },
            o.complexity
        );
    }
    html.push_str("</table>\n");

    let mut apis: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for o in &ok {
        for (api, (r, m)) in &o.apis {
            let e = apis.entry(api).or_default();
            e.0 += r;
            e.1 += m;
            e.2 += 1;
        }
    }
    let mut rows: Vec<(&str, (usize, usize, usize))> = apis.into_iter().collect();
    rows.sort_by(|a, b| (b.1.0 + b.1.1).cmp(&(a.1.0 + a.1.1)).then(a.0.cmp(b.0)));
    html.push_str("<h2>Idioms across repositories</h2>\n<table id=\"idioms\"><tr><th>eventlet API</th><th>repositories</th><th>rewritten</th><th>manual</th></tr>\n");
    for (api, (r, m, repos)) in rows {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{repos}</td><td>{r}</td><td>{m}</td></tr>",
            escape(api)
        );
    }
    html.push_str("</table>\n");

    // Burndown: uses left for manual work after each run, by the latest
    // outcome of every repository known at that point.
    let mut latest: BTreeMap<&str, usize> = BTreeMap::new();
    let mut points: Vec<(u64, usize)> = Vec::new();
    for run in &ledger.runs {
        for o in run.outcomes.iter().filter(|o| o.ok) {
            latest.insert(&o.name, o.manual);
        }
        points.push((run.unix_time, latest.values().sum()));
    }
    html.push_str("<h2>Burndown</h2>\n");
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1) as f64;
    let (width, height) = (600.0, 200.0);
    let step = if points.len() > 1 {
        width / (points.len() - 1) as f64
    } else {
        0.0
    };
    let coords: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, left))| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                height - height * *left as f64 / max
            )
        })
        .collect();
    let _ = writeln!(
        html,
        "<svg id=\"burndown\" width=\"{width}\" height=\"{}\" viewBox=\"-10 -10 {} {}\" role=\"img\" aria-label=\"uses left over {} runs\">\
         <polyline fill=\"none\" stroke=\"#ef6c00\" stroke-width=\"3\" points=\"{}\"/></svg>",
        height + 20.0,
        width + 20.0,
        height + 20.0,
        points.len(),
        coords.join(" ")
    );
    let _ = writeln!(
        html,
        "<p id=\"runs\">{} runs in the ledger; uses left for manual work: {}</p>",
        points.len(),
        points
            .iter()
            .map(|p| p.1.to_string())
            .collect::<Vec<_>>()
            .join(" → ")
    );
    html.push_str("</body></html>\n");
    html
}
