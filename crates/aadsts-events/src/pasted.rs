//! A paste of Windows events made ready to explain: each event with its page, who it is
//! about and the AADSTS codes it carries, and the lines that say so. Shared by `aadsts
//! explain` and the web's explain form so that both say the same thing.

use crate::{machine_of, parse_pasted, user_of, Event};
use aadsts_catalog::EventPage;

/// At most this many pasted events are explained one by one; a longer paste is a log, for
/// `aadsts scan`.
pub const MAX_PASTED_EVENTS: usize = 20;

/// One pasted event and what explains it.
#[derive(Debug)]
pub struct PastedEvent {
    pub event: Event,
    pub page: Option<&'static EventPage>,
    pub user: Option<String>,
    pub machine: Option<String>,
    pub codes: Vec<u32>,
}

impl PastedEvent {
    /// What the event holds, in one line: `PasswordResetService event 33004 (error), log
    /// Application, at …, on …, user …, carries AADSTS…`.
    pub fn facts(&self) -> String {
        let e = &self.event;
        let mut facts = vec![
            format!("{} event {} ({})", e.provider, e.event_id, e.level.as_str()),
            format!(
                "log {}",
                if e.channel.is_empty() {
                    "?"
                } else {
                    &e.channel
                }
            ),
        ];
        if let Some(t) = &e.time {
            facts.push(format!("at {t}"));
        }
        if !e.computer.is_empty() {
            facts.push(format!("on {}", e.computer));
        }
        if let Some(u) = &self.user {
            facts.push(format!("user {u}"));
        }
        if let Some(m) = &self.machine {
            facts.push(format!("client {m}"));
        }
        if !self.codes.is_empty() {
            let codes: Vec<String> = self.codes.iter().map(|c| format!("AADSTS{c}")).collect();
            facts.push(format!("carries {}", codes.join(", ")));
        }
        facts.join(", ")
    }

    /// Which page explains it, or that none does (never a guess).
    pub fn page_line(&self) -> String {
        match self.page {
            Some(p) => format!("Explained by page {}: {}", p.id(), p.title),
            None => format!(
                "No page explains {}/{}; `aadsts events` lists the events that have one",
                self.event.provider, self.event.event_id
            ),
        }
    }
}

/// The events of a paste, at most [`MAX_PASTED_EVENTS`], and how many more there were.
#[derive(Debug)]
pub struct Pasted {
    pub events: Vec<PastedEvent>,
    pub not_shown: usize,
}

impl Pasted {
    /// `None` when the text holds no event (it is error text, explained as such).
    pub fn read(text: &str) -> Option<Pasted> {
        let mut all = parse_pasted(text);
        if all.is_empty() {
            return None;
        }
        let not_shown = all.len().saturating_sub(MAX_PASTED_EVENTS);
        all.truncate(MAX_PASTED_EVENTS);
        let events = all
            .into_iter()
            .map(|event| {
                let page = aadsts_catalog::event_page_for(&event.provider, event.event_id);
                let uf: Vec<&str> = page
                    .map(|p| p.user_fields.iter().map(|s| s.as_ref()).collect())
                    .unwrap_or_default();
                let mf: Vec<&str> = page
                    .map(|p| p.machine_fields.iter().map(|s| s.as_ref()).collect())
                    .unwrap_or_default();
                PastedEvent {
                    user: user_of(&event, &uf),
                    machine: machine_of(&event, &mf),
                    codes: event.aadsts_codes(),
                    page,
                    event,
                }
            })
            .collect();
        Some(Pasted { events, not_shown })
    }

    /// The pages, each once, in order of first use.
    pub fn pages(&self) -> Vec<&'static EventPage> {
        let mut out: Vec<&'static EventPage> = Vec::new();
        for p in self.events.iter().filter_map(|e| e.page) {
            if !out.iter().any(|u| std::ptr::eq(*u, p)) {
                out.push(p);
            }
        }
        out
    }

    /// The events' message and data values, one per line: the text whose AADSTS codes are
    /// explained after the pages.
    pub fn code_text(&self) -> String {
        let mut out = String::new();
        for e in &self.events {
            for t in e
                .event
                .message
                .iter()
                .chain(e.event.data.iter().map(|(_, v)| v))
            {
                out.push_str(t);
                out.push('\n');
            }
        }
        out
    }

    /// The note for events past the limit.
    pub fn not_shown_note(&self) -> Option<String> {
        (self.not_shown > 0).then(|| {
            format!(
                "{} more event(s) in the text were not explained one by one; `aadsts scan` reads a whole log.",
                self.not_shown
            )
        })
    }
}
