#![no_main]
//! Any bytes through every Windows event log reader of `aadsts scan` (`.evtx` chunks,
//! Event Viewer XML, CSV and text, Get-WinEvent JSON and CSV), format detection, the
//! pasted-event parser of `aadsts explain`, and user/machine extraction: errors are
//! fine, panics and unbounded memory are not.
use aadsts_events::{detect, machine_of, parse_pasted, read, user_of, Collect, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = detect(data, "input");
    for format in [
        Format::Evtx,
        Format::Xml,
        Format::EventViewerCsv,
        Format::EventViewerText,
        Format::PowerShellCsv,
        Format::PowerShellJson,
    ] {
        let mut sink = Collect::default();
        let mut input: &[u8] = data;
        let _ = read(format, &mut input, &mut sink);
        for e in &sink.events {
            let _ = user_of(e, &["TargetUserName"]);
            let _ = machine_of(e, &["IpAddress"]);
            let _ = e.aadsts_codes();
        }
    }
    // Random bytes rarely start with the EVTX magic: give the chunk reader its header.
    if data.len() > 8 {
        let mut evtx = b"ElfFile\0".to_vec();
        evtx.resize(4096, 0);
        evtx.extend_from_slice(data);
        let mut sink = Collect::default();
        let _ = read(Format::Evtx, &mut evtx.as_slice(), &mut sink);
    }
    for e in parse_pasted(&String::from_utf8_lossy(data)) {
        let _ = user_of(&e, &[]);
    }
});
