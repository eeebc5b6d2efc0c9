//! Event XML, the schema `http://schemas.microsoft.com/win/2004/08/events/event`: what
//! Event Viewer's "Save as XML" writes (`<Events><Event>…</Event>…</Events>`), forwarded
//! events (with `RenderingInfo`), `wevtutil qe /f:xml`, and what the `evtx` crate renders a
//! record into. Read as a stream of elements; one `Event` at a time is held.

use crate::open::{too_long, Limited};
use crate::{Event, EventsError, Level, Sink, MAX_EVENT};
use quick_xml::events::{BytesStart, Event as X};
use std::io::BufRead;

/// Builds events from element starts, texts and ends. Element names are local (the
/// namespace prefix dropped).
#[derive(Default)]
pub(crate) struct Builder {
    /// Open elements inside the current `Event` (the `Event` itself first); empty between
    /// events.
    stack: Vec<Open>,
    text: String,
    ev: Event,
    level: Option<u8>,
    keywords: Option<u64>,
    level_text: Option<String>,
    unnamed: usize,
    /// Element name buffers kept for reuse: an event has dozens of elements.
    spare: Vec<String>,
}

struct Open {
    name: String,
    had_child: bool,
    data_name: Option<String>,
}

/// Longest kept text of one element: a message is a few kilobytes.
const MAX_TEXT: usize = 256 * 1024;

impl Builder {
    pub fn in_event(&self) -> bool {
        !self.stack.is_empty()
    }

    /// Depth and the names of the first two open elements: where an element is, without
    /// building a path (this runs for every element of every event).
    fn at(&self) -> (usize, &str, &str) {
        let n = |i: usize| self.stack.get(i).map_or("", |o| o.name.as_str());
        (self.stack.len(), n(0), n(1))
    }

    /// An element starts; `attr` gives the value of one of its attributes by local name
    /// (asked only for the few elements whose attributes are read).
    pub fn open(&mut self, name: &str, attr: &mut dyn FnMut(&str) -> Option<String>) {
        if self.stack.is_empty() {
            if name != "Event" {
                return;
            }
            // A new event; the buffers (stack, text, spare names) are kept.
            self.ev = Event::default();
            self.level = None;
            self.keywords = None;
            self.level_text = None;
            self.unnamed = 0;
            self.text.clear();
        }
        if let Some(top) = self.stack.last_mut() {
            top.had_child = true;
        }
        self.text.clear();
        let mut data_name = None;
        match (self.at(), name) {
            ((2, "Event", "System"), "Provider") => {
                if let Some(n) = attr("Name").or_else(|| attr("EventSourceName")) {
                    self.ev.provider = n;
                }
            }
            ((2, "Event", "System"), "TimeCreated") => {
                if let Some(t) = attr("SystemTime") {
                    self.ev.time = aadsts_scan::record::time(&t);
                }
            }
            ((2, "Event", "EventData"), "Data") => {
                data_name = Some(attr("Name").unwrap_or_else(|| {
                    self.unnamed += 1;
                    format!("#{}", self.unnamed)
                }));
            }
            _ => {}
        }
        let mut owned = self.spare.pop().unwrap_or_default();
        owned.push_str(name);
        self.stack.push(Open {
            name: owned,
            had_child: false,
            data_name,
        });
    }

    pub fn text(&mut self, t: &str) {
        if !self.stack.is_empty() && self.text.len() < MAX_TEXT {
            let room = MAX_TEXT - self.text.len();
            let mut end = t.len().min(room);
            while !t.is_char_boundary(end) {
                end -= 1;
            }
            self.text.push_str(&t[..end]);
        }
    }

    /// The element open last ends; `Some` when it was the `Event`.
    pub fn close(&mut self) -> Option<Event> {
        let open = self.stack.pop()?;
        let mut text = std::mem::take(&mut self.text);
        let ended = self.closed(open, text.trim());
        // The buffer is kept for the next element's text.
        text.clear();
        self.text = text;
        ended
    }

    fn closed(&mut self, open: Open, value: &str) -> Option<Event> {
        let (depth, first, second) = self.at();
        let user_data = depth >= 3 && first == "Event" && second == "UserData";
        match ((depth, first, second), open.name.as_str()) {
            ((0, _, _), "Event") => {
                let mut ev = std::mem::take(&mut self.ev);
                ev.level = match self.level_text.as_deref().map(Level::from_text) {
                    Some(l) if l != Level::Unknown => l,
                    _ => Level::from_system(self.level, self.keywords),
                };
                // The Security log's audit keywords say more than its level 0.
                if matches!(
                    Level::from_system(None, self.keywords),
                    Level::AuditFailure | Level::AuditSuccess
                ) {
                    ev.level = Level::from_system(None, self.keywords);
                }
                return Some(ev);
            }
            ((2, "Event", "System"), "EventID") => {
                self.ev.event_id = value.parse().unwrap_or(0);
            }
            ((2, "Event", "System"), "Level") => self.level = value.parse().ok(),
            ((2, "Event", "System"), "Keywords") => {
                self.keywords = u64::from_str_radix(value.trim_start_matches("0x"), 16).ok();
            }
            ((2, "Event", "System"), "EventRecordID") => self.ev.record_id = value.parse().ok(),
            ((2, "Event", "System"), "Channel") => self.ev.channel = value.to_string(),
            ((2, "Event", "System"), "Computer") => self.ev.computer = value.to_string(),
            ((2, "Event", "EventData"), "Data") => {
                let name = open.data_name.unwrap_or_default();
                self.ev.data.push((name, value.to_string()));
            }
            ((2, "Event", "RenderingInfo"), "Message") if !value.is_empty() => {
                self.ev.message = Some(value.to_string());
            }
            ((2, "Event", "RenderingInfo"), "Level") if !value.is_empty() => {
                self.level_text = Some(value.to_string());
            }
            // UserData: the leaves of the provider's own element.
            _ if user_data && !open.had_child => {
                self.ev.data.push((open.name, value.to_string()));
                return None;
            }
            _ => {}
        }
        if self.spare.len() < 64 {
            let mut n = open.name;
            n.clear();
            self.spare.push(n);
        }
        None
    }
}

fn local(name: &[u8]) -> std::borrow::Cow<'_, str> {
    let n = match memchr::memrchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(n)
}

/// The value of the attribute whose local name is `key`.
fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == key)
        .map(|a| {
            a.unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
        })
}

/// Feeds one parsed XML item to the builder; `Some` when an event ends.
fn feed(b: &mut Builder, item: &X<'_>) -> Option<Event> {
    match item {
        X::Start(e) => {
            b.open(&local(e.name().as_ref()), &mut |k| attr(e, k));
            None
        }
        X::Empty(e) => {
            b.open(&local(e.name().as_ref()), &mut |k| attr(e, k));
            b.close()
        }
        X::End(_) => b.close(),
        X::Text(t) => {
            if b.in_event() {
                let s = t
                    .decode()
                    .map(|s| s.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(t).into_owned());
                b.text(&unescape(&s));
            }
            None
        }
        X::CData(t) => {
            b.text(&String::from_utf8_lossy(t));
            None
        }
        X::GeneralRef(r) => {
            if b.in_event() {
                let name = String::from_utf8_lossy(r);
                b.text(&unescape(&format!("&{name};")));
            }
            None
        }
        _ => None,
    }
}

/// XML's predefined entities and character references.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    match quick_xml::escape::unescape(s) {
        Ok(u) => u.into_owned(),
        Err(_) => s.to_string(),
    }
}

/// Parses XML text holding one or more `Event` elements (a record rendered by `evtx`, a
/// pasted event). Stops at the first XML error with its message.
pub(crate) fn parse_events(xml: &str) -> Result<Vec<Event>, String> {
    let mut out = Vec::new();
    parse_events_with(&mut Builder::default(), xml, &mut out)?;
    Ok(out)
}

/// [`parse_events`] with a builder kept from record to record (its buffers are reused).
pub(crate) fn parse_events_with(
    b: &mut Builder,
    xml: &str,
    out: &mut Vec<Event>,
) -> Result<(), String> {
    let mut r = quick_xml::Reader::from_str(xml);
    loop {
        match r.read_event() {
            Ok(X::Eof) => break,
            Ok(item) => {
                if let Some(e) = feed(b, &item) {
                    out.push(e);
                }
            }
            Err(e) => {
                // An element left open must not swallow the next record.
                b.stack.clear();
                return Err(format!("XML error at byte {}: {e}", r.error_position()));
            }
        }
    }
    // Likewise a record whose XML ends inside an event.
    b.stack.clear();
    Ok(())
}

/// Reads an XML export. A malformed document cannot be resynchronised: the file stops at
/// the first XML error, with its place; the events before it count.
pub(crate) fn read(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), EventsError> {
    let mut limited = Limited::new(input, MAX_EVENT);
    let mut r = quick_xml::Reader::from_reader(&mut limited);
    let mut b = Builder::default();
    let mut buf = Vec::new();
    let mut n: u64 = 0;
    loop {
        buf.clear();
        let item = r.read_event_into(&mut buf);
        match item {
            Ok(X::Eof) => break,
            Ok(item) => {
                let was_in = b.in_event();
                if let Some(e) = feed(&mut b, &item) {
                    n += 1;
                    sink.event(e);
                }
                // Outside an event, and at each event's end, the record budget starts anew.
                if !b.in_event() || !was_in {
                    r.get_mut().reset();
                }
            }
            Err(e) => {
                let line = r.get_ref().lines;
                let at = format!("line {line}, after event {n}");
                let io = match e {
                    quick_xml::Error::Io(io) => std::io::Error::new(io.kind(), io.to_string()),
                    other => std::io::Error::other(format!("not well-formed XML: {other}")),
                };
                if r.get_ref().since_reset > MAX_EVENT {
                    return Err(EventsError::Read {
                        at,
                        source: too_long(MAX_EVENT),
                    });
                }
                return Err(EventsError::Read { at, source: io });
            }
        }
    }
    if n == 0 {
        return Err(EventsError::Format(
            "an XML document without any <Event> element".into(),
        ));
    }
    Ok(())
}
