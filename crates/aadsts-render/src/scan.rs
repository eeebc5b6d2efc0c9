//! Renderings of a scan summary: a terminal report that fits the screen, Markdown, CSV
//! (one row per code) and one self-contained HTML file with SVG charts.

use crate::html::escape;
use crate::text::{paint, TextStyle, BOLD, DIM, HEADING};
use aadsts_scan::{Class, CodeRow, Summary};
use std::fmt::Write as _;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn span(s: &Summary) -> String {
    match (&s.totals.first, &s.totals.last) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => "no times in the input".into(),
    }
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn class_word(c: Class) -> &'static str {
    match c {
        Class::Success => "success",
        Class::Failure => "failure",
        Class::Interrupt => "interrupt",
        Class::Expected => "expected",
        Class::Unknown => "unknown",
    }
}

fn top_line(c: &CodeRow) -> String {
    let mut parts = Vec::new();
    if let Some(a) = c.top.apps.first() {
        parts.push(format!("app {} ({})", a.value, a.count));
    }
    if let Some(u) = c.top.users.first() {
        parts.push(format!("user {} ({})", u.value, u.count));
    }
    if let Some(i) = c.top.ips.first() {
        parts.push(format!("IP {} ({})", i.value, i.count));
    }
    if let Some(p) = c.top.failed_ca_policies.first() {
        parts.push(format!("CA policy “{}” ({})", p.value, p.count));
    }
    parts.join(" · ")
}

pub fn text(s: &Summary, style: &TextStyle) -> String {
    let width = style.width.unwrap_or(100);
    let title_w = width.saturating_sub(46).clamp(20, 60);
    let mut o = String::new();
    let t = &s.totals;
    let _ = writeln!(
        o,
        "{}",
        paint(
            style,
            BOLD,
            &format!(
                "Sign-ins: {}   failures: {} ({})   interrupts: {}   expected: {}   successes: {}",
                t.sign_ins,
                t.failures,
                pct(t.failure_rate),
                t.interrupts,
                t.expected,
                t.successes
            )
        )
    );
    let _ = writeln!(o, "Span: {}", span(s));
    let _ = writeln!(
        o,
        "Rows: {} read, {} used, {} filtered out, {} skipped{}",
        s.rows.read,
        s.rows.used,
        s.rows.filtered_out,
        s.rows.skipped,
        if s.redacted {
            "   (users and IPs redacted)"
        } else {
            ""
        }
    );
    for i in &s.inputs {
        let shape = i.shape.map(|x| x.as_str()).unwrap_or("-");
        let _ = write!(
            o,
            "  {}  [{shape}] {} rows, {} skipped",
            i.name, i.rows_read, i.rows_skipped
        );
        if let Some(e) = &i.error {
            let _ = write!(o, "  error: {e}");
        }
        o.push('\n');
    }
    for k in &s.skipped {
        let _ = writeln!(
            o,
            "  {} {}: {} {}",
            paint(style, DIM, "skipped"),
            k.file,
            k.at,
            k.reason
        );
    }
    if s.rows.skipped as usize > s.skipped.len() {
        let _ = writeln!(
            o,
            "  … {} more skipped rows (see --json)",
            s.rows.skipped as usize - s.skipped.len()
        );
    }

    let section = |o: &mut String, title: &str, rows: Vec<&CodeRow>| {
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(o, "\n{}", paint(style, HEADING, title));
        let _ = writeln!(
            o,
            "  {:>8}  {:>6}  {:<10} {:<title_w$}  {:>5} {:>5}",
            "code", "count", "fixer", "title", "users", "apps"
        );
        for c in rows {
            let _ = writeln!(
                o,
                "  {:>8}  {:>6}  {:<10} {:<title_w$}  {:>5} {:>5}",
                c.code,
                c.count,
                c.fixer.as_deref().unwrap_or("?"),
                cut(
                    c.title.as_deref().unwrap_or("(no page in this catalog)"),
                    title_w
                ),
                c.users,
                c.apps
            );
            let tl = top_line(c);
            if !tl.is_empty() {
                let _ = writeln!(
                    o,
                    "  {:>8}  {}",
                    "",
                    paint(style, DIM, &cut(&tl, width.saturating_sub(12)))
                );
            }
        }
    };
    let by = |cls: &[Class]| -> Vec<&CodeRow> {
        s.codes
            .iter()
            .filter(|c| cls.contains(&c.class))
            .take(15)
            .collect()
    };
    section(&mut o, "Failures", by(&[Class::Failure, Class::Unknown]));
    section(
        &mut o,
        "Interrupts (normal steps; a problem only in bulk)",
        by(&[Class::Interrupt]),
    );
    section(&mut o, "Expected noise", by(&[Class::Expected]));
    if !s.unknown_codes.is_empty() {
        let _ = writeln!(
            o,
            "\nCodes this catalog has no page for: {}",
            s.unknown_codes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !s.signals.is_empty() {
        let _ = writeln!(o, "\n{}", paint(style, HEADING, "Signals of attack"));
        for sig in &s.signals {
            let _ = writeln!(o, "  [{}] {}: {}", sig.severity, sig.kind, sig.summary);
        }
    }
    if !s.fix_first.is_empty() {
        let _ = writeln!(o, "\n{}", paint(style, HEADING, "Fix first"));
        for (i, f) in s.fix_first.iter().enumerate() {
            let _ = writeln!(
                o,
                "  {}. AADSTS{} {} — {} user(s), {} sign-ins; {} acts",
                i + 1,
                f.code,
                f.title,
                f.users,
                f.count,
                f.fixer
            );
            let step = f.first_step.replace('\n', " ");
            let _ = writeln!(
                o,
                "     {}",
                cut(&strip_md(&step), width.saturating_sub(6).max(40) * 2)
            );
        }
    }
    if !s.timeline.points.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            paint(
                style,
                HEADING,
                &format!("Timeline (per {})", s.timeline.bucket)
            )
        );
        let max = s
            .timeline
            .points
            .iter()
            .map(|p| p.sign_ins)
            .max()
            .unwrap_or(1)
            .max(1);
        let bar_w = width.saturating_sub(40).clamp(10, 60) as u64;
        let _ = writeln!(
            o,
            "  {:<17} {:>6} {:>6}  {}",
            if s.timeline.bucket == "hour" {
                "hour (UTC)"
            } else {
                "day (UTC)"
            },
            "total",
            "failed",
            "█ failed (interrupts and expected codes are not failures)  ░ other"
        );
        for p in s.timeline.points.iter().take(72) {
            let total = (p.sign_ins * bar_w).div_ceil(max);
            let fail = (p.failures * bar_w).div_ceil(max).min(total);
            let _ = writeln!(
                o,
                "  {:<17} {:>6} {:>6}  {}{}",
                p.t,
                p.sign_ins,
                p.failures,
                "█".repeat(fail as usize),
                "░".repeat((total - fail) as usize)
            );
        }
    }
    o
}

fn strip_md(s: &str) -> String {
    s.replace("**", "").replace('`', "")
}

pub fn markdown(s: &Summary) -> String {
    let mut o = String::from("# Sign-in log scan\n\n");
    let t = &s.totals;
    let _ = writeln!(o, "| Sign-ins | Failures | Failure rate | Interrupts | Expected | Successes | Span |\n|---|---|---|---|---|---|---|");
    let _ = writeln!(
        o,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        t.sign_ins,
        t.failures,
        pct(t.failure_rate),
        t.interrupts,
        t.expected,
        t.successes,
        span(s)
    );
    let _ = writeln!(
        o,
        "Rows: {} read, {} used, {} filtered out, {} skipped.\n",
        s.rows.read, s.rows.used, s.rows.filtered_out, s.rows.skipped
    );
    if !s.fix_first.is_empty() {
        o.push_str("## Fix first\n\n");
        for (i, f) in s.fix_first.iter().enumerate() {
            let _ = writeln!(
                o,
                "{}. **AADSTS{}** {} ({} users, {} sign-ins; {} acts): {}",
                i + 1,
                f.code,
                f.title,
                f.users,
                f.count,
                f.fixer,
                f.first_step.replace('\n', " ")
            );
        }
        o.push('\n');
    }
    if !s.signals.is_empty() {
        o.push_str("## Signals of attack\n\n");
        for sig in &s.signals {
            let _ = writeln!(o, "- **{}** ({}): {}", sig.kind, sig.severity, sig.summary);
        }
        o.push('\n');
    }
    o.push_str("## Codes\n\n| Code | Class | Title | Count | Users | Apps | IPs | First seen | Last seen | Top app |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for c in &s.codes {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.code,
            class_word(c.class),
            c.title
                .as_deref()
                .unwrap_or("(no page)")
                .replace('|', "\\|"),
            c.count,
            c.users,
            c.apps,
            c.ips,
            c.first_seen.as_deref().unwrap_or(""),
            c.last_seen.as_deref().unwrap_or(""),
            c.top
                .apps
                .first()
                .map(|a| a.value.replace('|', "\\|"))
                .unwrap_or_default()
        );
    }
    if !s.skipped.is_empty() {
        o.push_str("\n## Skipped rows\n\n");
        for k in &s.skipped {
            let _ = writeln!(o, "- {} {}: {}", k.file, k.at, k.reason);
        }
    }
    o
}

pub fn csv(s: &Summary) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "code",
        "class",
        "name",
        "title",
        "severity",
        "fixer",
        "count",
        "users",
        "apps",
        "ips",
        "first_seen",
        "last_seen",
        "top_app",
        "top_user",
        "top_ip",
        "top_failed_ca_policy",
    ])?;
    for c in &s.codes {
        let first =
            |v: &Vec<aadsts_scan::Count>| v.first().map(|x| x.value.clone()).unwrap_or_default();
        w.write_record([
            c.code.to_string(),
            class_word(c.class).to_string(),
            c.name.clone().unwrap_or_default(),
            c.title.clone().unwrap_or_default(),
            c.severity.map(|x| x.to_string()).unwrap_or_default(),
            c.fixer.clone().unwrap_or_default(),
            c.count.to_string(),
            c.users.to_string(),
            c.apps.to_string(),
            c.ips.to_string(),
            c.first_seen.clone().unwrap_or_default(),
            c.last_seen.clone().unwrap_or_default(),
            first(&c.top.apps),
            first(&c.top.users),
            first(&c.top.ips),
            first(&c.top.failed_ca_policies),
        ])?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Horizontal bars as inline SVG.
fn bars(items: &[(String, u64, u64)], title: &str) -> String {
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1);
    let h = 22 * items.len() + 30;
    let mut o = format!("<figure><figcaption>{}</figcaption><svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 760 {h}\" width=\"100%\">", escape(title), escape(title));
    for (i, (label, total, fail)) in items.iter().enumerate() {
        let y = 10 + i * 22;
        let w = (*total as f64 / max as f64 * 420.0).max(1.0);
        let fw = (*fail as f64 / max as f64 * 420.0).min(w);
        let _ = write!(
            o,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"300\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"#9ec5e8\"/><rect x=\"300\" y=\"{y}\" width=\"{fw:.1}\" height=\"16\" fill=\"#d9534f\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{total}</text>",
            y + 12,
            escape(&cut(label, 45)),
            300.0 + w + 4.0,
            y + 12
        );
    }
    o.push_str("</svg></figure>");
    o
}

fn timeline_svg(s: &Summary) -> String {
    let pts = &s.timeline.points;
    if pts.is_empty() {
        return String::new();
    }
    let max = pts.iter().map(|p| p.sign_ins).max().unwrap_or(1).max(1) as f64;
    let n = pts.len() as f64;
    let bw = (740.0 / n).max(1.0);
    let mut o = format!("<figure><figcaption>Sign-ins per {} (red: failures)</figcaption><svg role=\"img\" aria-label=\"timeline\" viewBox=\"0 0 760 220\" width=\"100%\">", s.timeline.bucket);
    for (i, p) in pts.iter().enumerate() {
        let x = 10.0 + i as f64 * bw;
        let h = p.sign_ins as f64 / max * 180.0;
        let fh = p.failures as f64 / max * 180.0;
        let _ = write!(
            o,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#9ec5e8\"><title>{} {} sign-ins, {} failures</title></rect><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{fh:.1}\" fill=\"#d9534f\"/>",
            200.0 - h,
            (bw - 1.0).max(0.5),
            escape(&p.t),
            p.sign_ins,
            p.failures,
            200.0 - fh,
            (bw - 1.0).max(0.5)
        );
    }
    let _ = write!(o, "<text x=\"10\" y=\"215\" font-size=\"11\">{}</text><text x=\"750\" y=\"215\" font-size=\"11\" text-anchor=\"end\">{}</text></svg></figure>", escape(&pts[0].t), escape(&pts[pts.len() - 1].t));
    o
}

/// One HTML file with everything inline (no scripts, no external resources).
pub fn html(s: &Summary) -> String {
    let mut body = String::new();
    let t = &s.totals;
    let _ = write!(body, "<h1>Sign-in log scan</h1><p class=\"totals\"><b>{}</b> sign-ins · <b>{}</b> failures ({}) · {} interrupts · {} expected · {} successes<br>{}<br>Rows: {} read, {} used, {} filtered out, {} skipped{}</p>",
        t.sign_ins, t.failures, pct(t.failure_rate), t.interrupts, t.expected, t.successes, escape(&span(s)), s.rows.read, s.rows.used, s.rows.filtered_out, s.rows.skipped,
        if s.redacted { " · users and IPs redacted" } else { "" });
    body.push_str("<ul class=\"inputs\">");
    for i in &s.inputs {
        let _ = write!(
            body,
            "<li>{} [{}]: {} rows, {} skipped{}</li>",
            escape(&i.name),
            i.shape.map(|x| x.as_str()).unwrap_or("-"),
            i.rows_read,
            i.rows_skipped,
            i.error
                .as_ref()
                .map(|e| format!(" — {}", escape(e)))
                .unwrap_or_default()
        );
    }
    body.push_str("</ul>");
    body.push_str(&timeline_svg(s));
    let codes: Vec<(String, u64, u64)> = s
        .codes
        .iter()
        .take(15)
        .map(|c| {
            let fail = if matches!(c.class, Class::Failure | Class::Unknown) {
                c.count
            } else {
                0
            };
            (
                format!("{} {}", c.code, c.title.as_deref().unwrap_or("")),
                c.count,
                fail,
            )
        })
        .collect();
    body.push_str(&bars(&codes, "Codes (red: failures)"));
    let mut apps: std::collections::HashMap<String, (u64, u64)> = Default::default();
    for c in &s.codes {
        let fail = matches!(c.class, Class::Failure | Class::Unknown);
        for a in &c.top.apps {
            let e = apps.entry(a.value.clone()).or_default();
            e.0 += a.count;
            if fail {
                e.1 += a.count;
            }
        }
    }
    let mut apps: Vec<(String, u64, u64)> = apps.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
    apps.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    apps.truncate(12);
    body.push_str(&bars(&apps, "Apps (top apps of each code; red: failures)"));
    if !s.fix_first.is_empty() {
        body.push_str("<h2>Fix first</h2><ol>");
        for f in &s.fix_first {
            let _ = write!(
                body,
                "<li><b>AADSTS{}</b> {} — {} users, {} sign-ins; {} acts<br>{}</li>",
                f.code,
                escape(&f.title),
                f.users,
                f.count,
                escape(&f.fixer),
                crate::html::markdown(&f.first_step)
            );
        }
        body.push_str("</ol>");
    }
    if !s.signals.is_empty() {
        body.push_str("<h2>Signals of attack</h2>");
        for sig in &s.signals {
            let _ = write!(
                body,
                "<details><summary><b>{}</b> ({}): {}</summary><table>",
                escape(sig.kind),
                sig.severity,
                escape(&sig.summary)
            );
            for (k, v) in &sig.evidence {
                let _ = write!(
                    body,
                    "<tr><th>{}</th><td>{}</td></tr>",
                    escape(k),
                    escape(v)
                );
            }
            body.push_str("</table></details>");
        }
    }
    body.push_str("<h2>Codes</h2><table><thead><tr><th>Code</th><th>Class</th><th>Title</th><th>Count</th><th>Users</th><th>Apps</th><th>IPs</th><th>First seen</th><th>Last seen</th><th>Top</th></tr></thead><tbody>");
    for c in &s.codes {
        let _ = write!(body, "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            class_word(c.class), c.code, class_word(c.class), escape(c.title.as_deref().unwrap_or("(no page)")), c.count, c.users, c.apps, c.ips,
            escape(c.first_seen.as_deref().unwrap_or("")), escape(c.last_seen.as_deref().unwrap_or("")), escape(&top_line(c)));
    }
    body.push_str("</tbody></table>");
    if !s.skipped.is_empty() {
        body.push_str("<h2>Skipped rows</h2><ul>");
        for k in &s.skipped {
            let _ = write!(
                body,
                "<li>{} {}: {}</li>",
                escape(&k.file),
                escape(&k.at),
                escape(&k.reason)
            );
        }
        body.push_str("</ul>");
    }
    crate::html::document("Sign-in log scan", &body)
}
