//! One or more events pasted as text, for `aadsts explain`: the event's XML (Event Viewer's
//! Details → XML View, `wevtutil`, `ToXml()`), or Event Viewer's text view as "Copy →
//! Copy details as text" writes it (`Log Name: … Source: … Date: … Event ID: … Level: …
//! User: … Computer: … Description: …`, optionally followed by `Event Xml:`).

use crate::{Event, Level};

/// The events in pasted text; empty when it holds none.
pub fn parse_pasted(text: &str) -> Vec<Event> {
    let text = text.trim_start_matches('\u{feff}');
    let blocks = split_text_views(text);
    if !blocks.is_empty() {
        return blocks.into_iter().filter_map(text_view).collect();
    }
    xml_events(text)
}

/// The `<Event …>…</Event>` elements in `text`, read leniently: text around them is
/// ignored, and an element that does not parse is left out.
fn xml_events(text: &str) -> Vec<Event> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_event_start(rest) {
        let from = &rest[start..];
        let Some(end) = from.find("</Event>") else {
            break;
        };
        let one = &from[..end + "</Event>".len()];
        if let Ok(evs) = crate::read_xml::parse_events(one) {
            out.extend(evs);
        }
        rest = &from[end + "</Event>".len()..];
    }
    out
}

fn find_event_start(t: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = t[from..].find("<Event") {
        let at = from + i;
        let next = t[at + 6..].chars().next();
        if matches!(next, Some(' ' | '>' | '\n' | '\r' | '\t')) {
            return Some(at);
        }
        from = at + 6;
    }
    None
}

/// Event Viewer text views in `text`, each starting at a `Log Name:` line.
fn split_text_views(text: &str) -> Vec<&str> {
    let mut starts: Vec<usize> = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("Log Name:") {
            starts.push(pos + (line.len() - line.trim_start().len()));
        }
        pos += line.len();
    }
    let mut out = Vec::new();
    for (i, s) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        out.push(&text[*s..end]);
    }
    out
}

const LABELS: &[&str] = &[
    "Log Name:",
    "Source:",
    "Date:",
    "Event ID:",
    "Task Category:",
    "Level:",
    "Keywords:",
    "User:",
    "Computer:",
    "OpCode:",
    "Description:",
];

/// One text view. `None` without an event ID.
fn text_view(block: &str) -> Option<Event> {
    let (head, xml) = match block.find("Event Xml:") {
        Some(i) => (&block[..i], Some(&block[i + "Event Xml:".len()..])),
        None => (block, None),
    };
    let mut ev = Event::default();
    let mut description: Vec<&str> = Vec::new();
    let mut in_description = false;
    let mut user = None;
    for line in head.lines() {
        let l = line.trim();
        if in_description {
            description.push(line.trim_end());
            continue;
        }
        let Some(label) = LABELS.iter().find(|lb| l.starts_with(**lb)) else {
            continue;
        };
        let v = l[label.len()..].trim();
        match *label {
            "Log Name:" => ev.channel = v.to_string(),
            "Source:" => ev.provider = v.to_string(),
            "Date:" => ev.time = aadsts_scan::record::time(v),
            "Event ID:" => ev.event_id = v.parse().ok()?,
            "Level:" => ev.level = Level::from_text(v),
            "Keywords:" if v.contains("Audit Failure") => ev.level = Level::AuditFailure,
            "Keywords:" if v.contains("Audit Success") => ev.level = Level::AuditSuccess,
            "User:" if !v.is_empty() && v != "N/A" && v != "SYSTEM" => user = Some(v.to_string()),
            "Computer:" => ev.computer = v.to_string(),
            "Description:" => {
                in_description = true;
                if !v.is_empty() {
                    description.push(v);
                }
            }
            _ => {}
        }
    }
    if ev.event_id == 0 && !head.contains("Event ID:") {
        return None;
    }
    let message = description.join("\n").trim().to_string();
    // The XML after "Event Xml:" has the named EventData; the text view the message.
    if let Some(mut x) = xml.and_then(|x| xml_events(x).into_iter().next()) {
        if x.message.is_none() && !message.is_empty() {
            x.message = Some(message);
        }
        if x.time.is_none() {
            x.time = ev.time;
        }
        return Some(x);
    }
    if let Some(u) = user {
        // The account that logged the event (often SYSTEM), not necessarily the user the
        // event is about: kept under a name the user extraction does not read.
        ev.data.push(("LoggedBy".into(), u));
    }
    ev.message = (!message.is_empty()).then_some(message);
    Some(ev)
}
