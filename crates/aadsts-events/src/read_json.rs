//! `Get-WinEvent … | ConvertTo-Json`: an array of EventLogRecord objects (or one object
//! for one event). PowerShell 5.1 writes times as `"/Date(1733490000000)/"`, PowerShell 7
//! as ISO 8601 with the machine's offset. Array elements are read one at a time.

use crate::open::too_long;
use crate::{Event, EventsError, Level, Sink, MAX_EVENT};
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;
use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, Read};
use std::rc::Rc;

/// Counts bytes read since the last element began, shared with the visitor that resets it.
struct Budget<R> {
    inner: R,
    used: Rc<Cell<usize>>,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.used.get() > MAX_EVENT {
            return Err(too_long(MAX_EVENT));
        }
        let n = self.inner.read(buf)?;
        self.used.set(self.used.get() + n);
        Ok(n)
    }
}

struct Each<'s> {
    sink: &'s mut dyn Sink,
    used: Rc<Cell<usize>>,
    n: u64,
}

impl<'de> Visitor<'de> for &mut Each<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of events or one event object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            self.used.set(0);
            let Some(v) = seq.next_element::<Value>()? else {
                return Ok(());
            };
            self.n += 1;
            self.one(&v);
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let v: Value =
            serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        self.n += 1;
        self.one(&v);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for &mut Each<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Each<'_> {
    fn one(&mut self, v: &Value) {
        match from_value(v) {
            Ok(e) => self.sink.event(e),
            Err(why) => self.sink.skip(format!("record {}", self.n), why),
        }
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        // PowerShell wraps some values: `{"value": …, "DisplayHint": …}`.
        Some(Value::Object(o)) => text(o.get("value").or_else(|| o.get("Value"))),
        _ => String::new(),
    }
}

/// `/Date(1733490000000)/` (milliseconds since 1970, UTC; an offset after them is
/// PowerShell's display zone and does not change the instant).
fn ms_date(s: &str) -> Option<String> {
    let inner = s.trim().strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits_end = inner
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(inner.len(), |(i, _)| i);
    let ms: i64 = inner[..digits_end].parse().ok()?;
    Some(from_unix_ms(ms))
}

pub(crate) fn from_unix_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let frac = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = aadsts_extract::civil_from_days(days);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if frac != 0 {
        out.push_str(format!(".{frac:03}").trim_end_matches('0'));
    }
    out.push('Z');
    out
}

pub(crate) fn from_value(v: &Value) -> Result<Event, String> {
    let Value::Object(o) = v else {
        return Err("not a JSON object".into());
    };
    let id = o.get("Id").or_else(|| o.get("EventId"));
    let event_id = match id {
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| {
        format!(
            "no event Id (found {})",
            id.map_or("nothing".into(), |v| v.to_string())
        )
    })?;
    let time_raw = text(o.get("TimeCreated"));
    let time = ms_date(&time_raw).or_else(|| aadsts_scan::record::time(&time_raw));
    let keywords = o
        .get("KeywordsDisplayNames")
        .map(|k| k.to_string())
        .unwrap_or_default();
    let level = if keywords.contains("Audit Failure") {
        Level::AuditFailure
    } else if keywords.contains("Audit Success") {
        Level::AuditSuccess
    } else {
        match Level::from_text(&text(o.get("LevelDisplayName"))) {
            Level::Unknown => Level::from_text(&text(o.get("Level"))),
            l => l,
        }
    };
    let mut data = Vec::new();
    // At ConvertTo-Json's default depth (2) each EventProperty is written as its type name,
    // `"System.Diagnostics.Eventing.Reader.EventProperty"`, not its value: such a list says
    // nothing, and named positionally it made a 4625's user that type name. Found with the
    // held-back exports (tests/held-back/dc03-security-ps51-depth2.json).
    const TYPE_NAME: &str = "System.Diagnostics.Eventing.Reader.EventProperty";
    let props = match o.get("Properties") {
        Some(Value::Array(props)) if !props.iter().all(|p| p.as_str() == Some(TYPE_NAME)) => {
            Some(props)
        }
        _ => None,
    };
    if let Some(props) = props {
        for (i, p) in props.iter().enumerate() {
            let value = match p {
                Value::Object(po) => text(po.get("Value")),
                other => text(Some(other)),
            };
            data.push((format!("#{}", i + 1), value));
        }
    }
    let message = text(o.get("Message"));
    Ok(Event {
        provider: text(o.get("ProviderName")),
        channel: text(o.get("LogName").or_else(|| o.get("ContainerLog"))),
        event_id,
        level,
        time,
        computer: text(o.get("MachineName")),
        record_id: match o.get("RecordId") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        },
        data,
        message: (!message.is_empty()).then_some(message),
    })
}

pub(crate) fn read(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), EventsError> {
    let used = Rc::new(Cell::new(0));
    let budget = Budget {
        inner: input,
        used: used.clone(),
    };
    let mut de = serde_json::Deserializer::from_reader(budget);
    let mut each = Each { sink, used, n: 0 };
    let result = (&mut each).deserialize(&mut de).and_then(|_| de.end());
    if let Err(e) = result {
        let at = format!("line {}, after record {}", e.line(), each.n);
        let source = if each.used.get() > MAX_EVENT {
            too_long(MAX_EVENT)
        } else if e.is_io() {
            std::io::Error::other(e.to_string())
        } else {
            std::io::Error::other(format!("not valid JSON: {e}"))
        };
        return Err(EventsError::Read { at, source });
    }
    Ok(())
}
