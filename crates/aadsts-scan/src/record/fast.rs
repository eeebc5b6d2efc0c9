//! The JSON-lines fast path: one strict pass over a line that finds the fields
//! [`super::from_raw`] reads and builds the record with its text borrowed from the line.
//!
//! It answers only when it is sure to give exactly what the serde path (`Raw`, then
//! `from_raw`) gives; anything it is not sure of (an escape in a string, an exponent, a
//! nesting deeper than 64, a duplicate field it reads, a field of an unusual type, JSON text
//! inside a string, no error code, the words `value` or `records`, which send a line to the
//! wrapper reader) gives `None`, and the caller reads the line the old way, which also words
//! the errors. Why not serde: `Raw`'s untagged `Nested`/`Scalar` buffered every sub-object
//! into serde's `Content`, and every field became a `String` (a quarter of a scan).

use super::{lowercase, time, SignInRef};
use std::borrow::Cow;

/// Deeper than this, the serde path (which counts depth in some places and not in others)
/// answers.
const MAX_DEPTH: u32 = 64;
/// A longer number could be out of `f64`'s range, an error for serde_json in some places.
const MAX_NUMBER: usize = 300;

/// `resultType`, `errorCode`, `autonomousSystemNumber`: serde's untagged `Scalar`.
#[derive(Clone, Copy)]
enum Scal<'a> {
    N(u64),
    S(&'a str),
    Other,
}

impl<'a> Scal<'a> {
    fn code(self) -> Option<u32> {
        match self {
            Scal::N(n) => u32::try_from(n).ok(),
            Scal::S(s) => s.trim().parse().ok(),
            Scal::Other => None,
        }
    }
    fn text(self) -> Cow<'a, str> {
        match self {
            Scal::N(n) => Cow::Owned(n.to_string()),
            Scal::S(s) => Cow::Borrowed(s.trim()),
            Scal::Other => Cow::Borrowed(""),
        }
    }
}

/// The fields of one level (the record, or its `properties`), as `Raw` has them.
#[derive(Default)]
struct Fields<'a> {
    /// Fields met so far (a second one is a serde error: the serde path answers).
    seen: u32,
    time: Option<&'a str>,
    created: Option<&'a str>,
    time_generated: Option<&'a str>,
    result_type: Option<Scal<'a>>,
    upn: Option<&'a str>,
    identity: Option<&'a str>,
    sp_name: Option<&'a str>,
    app_name: Option<&'a str>,
    app_id: Option<&'a str>,
    ip: Option<&'a str>,
    caller_ip: Option<&'a str>,
    client_app: Option<&'a str>,
    asn: Option<Scal<'a>>,
    /// `status`: its error code and additional details.
    status: Option<(Option<Scal<'a>>, Option<&'a str>)>,
    os: Option<&'a str>,
    /// Names of the policies whose result is `failure`.
    failed: Vec<&'a str>,
    /// Non-empty `authenticationStepResultDetail`s.
    steps: Vec<&'a str>,
    properties: Option<Box<Fields<'a>>>,
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn b(&self) -> &'a [u8] {
        self.s.as_bytes()
    }
    fn peek(&self) -> Option<u8> {
        self.b().get(self.i).copied()
    }
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }
    fn lit(&mut self, w: &[u8]) -> Option<()> {
        self.b()[self.i..].starts_with(w).then(|| self.i += w.len())
    }

    /// A string without escapes or control characters, other than `value` and `records`.
    fn str(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let b = self.b();
        let start = self.i;
        let mut j = start;
        // Eight bytes at a time up to the first word holding a quote, a backslash or a
        // control character (most strings are short: a `memchr` call cost more).
        while let Some(w) = b.get(j..j + 8) {
            if special(u64::from_le_bytes(w.try_into().ok()?)) {
                break;
            }
            j += 8;
        }
        loop {
            match *b.get(j)? {
                b'"' => break,
                b'\\' | 0..0x20 => return None,
                _ => j += 1,
            }
        }
        let body = &b[start..j];
        if body == b"value" || body == b"records" {
            return None;
        }
        self.i = j + 1;
        Some(&self.s[start..j])
    }

    /// A number: `Some(Some(n))` for an integer that fits `u64` (what serde_json hands a
    /// visitor as `u64`), `Some(None)` for any other (negative, fraction, too big).
    fn number(&mut self) -> Option<Option<u64>> {
        let start = self.i;
        let neg = self.peek() == Some(b'-');
        if neg {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => {
                self.i += 1;
                if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return None;
                }
            }
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let int_end = self.i;
        let mut frac = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            let d = self.i;
            self.digits();
            if self.i == d {
                return None;
            }
            frac = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) || self.i - start > MAX_NUMBER {
            return None;
        }
        Some(if neg || frac {
            None
        } else {
            self.s[start..int_end].parse().ok()
        })
    }
    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// Checks and passes over any value.
    fn skip(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(depth, |p, _| p.skip(depth + 1)),
            b'[' => self.array(depth, |p| p.skip(depth + 1)),
            b'"' => self.str().map(drop),
            b't' => self.lit(b"true"),
            b'f' => self.lit(b"false"),
            b'n' => self.lit(b"null"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            _ => None,
        }
    }

    /// An object, each value read by `value` (which is given the key).
    fn object(
        &mut self,
        depth: u32,
        mut value: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let k = self.str()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            value(self, k)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: u32, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        self.ws();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            item(self)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `Option<Cow<str>>`: a string or null (anything else fails `Raw`).
    fn opt_str(&mut self) -> Option<Option<&'a str>> {
        if self.peek()? == b'n' {
            self.lit(b"null")?;
            return Some(None);
        }
        self.str().map(Some)
    }

    /// `Option<Scalar>`: null is `None`; an integer that fits `u64` and a string are kept;
    /// any other value is `Other` (serde's untagged enum's last variant).
    fn scalar(&mut self, depth: u32) -> Option<Option<Scal<'a>>> {
        Some(match self.peek()? {
            b'n' => {
                self.lit(b"null")?;
                None
            }
            b'"' => Some(Scal::S(self.str()?)),
            b'-' | b'0'..=b'9' => Some(self.number()?.map_or(Scal::Other, Scal::N)),
            _ => {
                self.skip(depth)?;
                Some(Scal::Other)
            }
        })
    }

    /// An object whose fields are all `Option<String>` (`RawStatus` but its code, `RawDevice`,
    /// `RawPolicy`, `RawStep`): `pick` names the slot of a key it reads. Only an object (or
    /// null, `None`) is read here; the serde path takes arrays, strings and the rest.
    fn nested<const N: usize>(
        &mut self,
        depth: u32,
        pick: impl Fn(&str) -> Option<usize>,
    ) -> Option<Option<[Option<&'a str>; N]>> {
        if self.peek()? == b'n' {
            self.lit(b"null")?;
            return Some(None);
        }
        let mut out = [None; N];
        let mut seen = 0u32;
        self.object(depth, |p, k| match pick(k) {
            Some(slot) => {
                if seen & (1 << slot) != 0 {
                    return None;
                }
                seen |= 1 << slot;
                out[slot] = p.opt_str()?;
                Some(())
            }
            None => p.skip(depth + 1),
        })?;
        Some(Some(out))
    }

    /// `status`: `errorCode` (a scalar) and `additionalDetails`.
    fn status(&mut self, depth: u32) -> Option<Option<(Option<Scal<'a>>, Option<&'a str>)>> {
        if self.peek()? == b'n' {
            self.lit(b"null")?;
            return Some(None);
        }
        let (mut code, mut details, mut seen) = (None, None, 0u8);
        self.object(depth, |p, k| match k {
            "errorCode" if seen & 1 == 0 => {
                seen |= 1;
                code = p.scalar(depth + 1)?;
                Some(())
            }
            "additionalDetails" if seen & 2 == 0 => {
                seen |= 2;
                details = p.opt_str()?;
                Some(())
            }
            "errorCode" | "additionalDetails" => None,
            _ => p.skip(depth + 1),
        })?;
        Some(Some((code, details)))
    }

    /// An array of objects (or null), each read by [`Self::nested`].
    fn list<const N: usize>(
        &mut self,
        depth: u32,
        pick: impl Fn(&str) -> Option<usize> + Copy,
        mut each: impl FnMut([Option<&'a str>; N]),
    ) -> Option<()> {
        if self.peek()? == b'n' {
            return self.lit(b"null");
        }
        self.array(depth, |p| {
            if p.peek()? != b'{' {
                return None;
            }
            each(p.nested::<N>(depth + 1, pick)??);
            Some(())
        })
    }

    /// A record or its `properties`: the fields of `Raw`, each at most once.
    fn fields(&mut self, depth: u32, inner: bool) -> Option<Fields<'a>> {
        let mut f = Fields::default();
        self.object(depth, |p, k| {
            let Some(slot) = raw_slot(k.as_bytes()) else {
                return p.skip(depth + 1);
            };
            if f.seen & (1 << slot) != 0 {
                return None;
            }
            f.seen |= 1 << slot;
            let d = depth + 1;
            match slot {
                0 => f.time = p.opt_str()?,
                1 => f.created = p.opt_str()?,
                2 => f.time_generated = p.opt_str()?,
                3 => f.result_type = p.scalar(d)?,
                4 => f.upn = p.opt_str()?,
                5 => f.identity = p.opt_str()?,
                6 => f.sp_name = p.opt_str()?,
                7 => f.app_name = p.opt_str()?,
                8 => f.app_id = p.opt_str()?,
                9 => f.ip = p.opt_str()?,
                10 => f.caller_ip = p.opt_str()?,
                11 => f.client_app = p.opt_str()?,
                12 => f.asn = p.scalar(d)?,
                13 => f.status = p.status(d)?,
                14 => {
                    let [os] = p
                        .nested::<1>(d, |k| (k == "operatingSystem").then_some(0))?
                        .unwrap_or_default();
                    f.os = os;
                }
                15 => {
                    let pick = |k: &str| match k {
                        "displayName" => Some(0),
                        "result" => Some(1),
                        _ => None,
                    };
                    let failed = &mut f.failed;
                    p.list::<2>(d, pick, |[name, result]| {
                        if let (Some(name), Some("failure")) = (name, result) {
                            failed.push(name);
                        }
                    })?;
                }
                16 => {
                    let pick = |k: &str| (k == "authenticationStepResultDetail").then_some(0);
                    let steps = &mut f.steps;
                    p.list::<1>(d, pick, |[detail]| {
                        if let Some(detail) = detail.filter(|x| !x.is_empty()) {
                            steps.push(detail);
                        }
                    })?;
                }
                _ => {
                    // `properties` inside `properties` is read but not used: leave it to serde.
                    if inner || p.peek()? != b'{' {
                        return None;
                    }
                    f.properties = Some(Box::new(p.fields(d, true)?));
                }
            }
            Some(())
        })?;
        Some(f)
    }
}

/// The slot of a field of `Raw` (its name or an alias), by length first: the names are
/// compared as fixed-size words, not with a `memcmp` call per candidate.
fn raw_slot(k: &[u8]) -> Option<usize> {
    Some(match k.len() {
        4 if k == b"time" => 0,
        5 if k == b"appId" || k == b"AppId" => 8,
        6 if k == b"status" || k == b"Status" => 13,
        8 if k == b"identity" => 5,
        9 if k == b"ipAddress" || k == b"IPAddress" => 9,
        10 if k == b"resultType" || k == b"ResultType" => 3,
        10 if k == b"properties" => 17,
        12 if k == b"deviceDetail" || k == b"DeviceDetail" => 14,
        13 if k == b"TimeGenerated" => 2,
        13 if k == b"clientAppUsed" || k == b"ClientAppUsed" => 11,
        14 if k == b"appDisplayName" || k == b"AppDisplayName" => 7,
        15 if k == b"createdDateTime" || k == b"CreatedDateTime" => 1,
        15 if k == b"callerIpAddress" => 10,
        17 if k == b"userPrincipalName" || k == b"UserPrincipalName" => 4,
        20 if k == b"servicePrincipalName" || k == b"ServicePrincipalName" => 6,
        21 if k == b"authenticationDetails" => 16,
        22 if k == b"autonomousSystemNumber" || k == b"AutonomousSystemNumber" => 12,
        25 if k == b"ConditionalAccessPolicies" => 15,
        32 if k == b"appliedConditionalAccessPolicies"
            || k == b"AppliedConditionalAccessPolicies" =>
        {
            15
        }
        _ => return None,
    })
}

/// Whether a word (eight bytes) holds `"`, `\\` or a byte below 0x20 (exact as a yes/no).
fn special(w: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let below_space = w.wrapping_sub(LO * 0x20) & !w & HI;
    (zero(w ^ (LO * u64::from(b'"'))) | zero(w ^ (LO * u64::from(b'\\'))) | below_space) != 0
}

/// `first_of` of `from_raw`: `a` unless blank, else `b`, trimmed.
fn first_of<'a>(a: Option<&'a str>, b: Option<&'a str>) -> &'a str {
    a.filter(|x| !x.trim().is_empty())
        .or(b)
        .unwrap_or("")
        .trim()
}

/// The record of a JSON line (from its `{`), exactly as `from_raw` would build it, or `None`
/// when the serde path must answer.
pub(crate) fn line(json: &str) -> Option<SignInRef<'_>> {
    let mut p = Parser { s: json, i: 0 };
    let top = p.fields(1, false)?;
    p.ws();
    if p.i != json.len() {
        return None;
    }
    // As `from_raw`: with `properties`, the sign-in is there and only the envelope's time,
    // result type, identity and caller IP are read; without, the record is the sign-in.
    let mut top = top;
    let env = Fields {
        time: top.time,
        result_type: top.result_type.take(),
        identity: top.identity,
        caller_ip: top.caller_ip,
        ..Fields::default()
    };
    let p = match top.properties.take() {
        Some(p) => *p,
        None => top,
    };
    let top = env;
    let (status_code, additional) = p.status.unwrap_or((None, None));
    let code = status_code
        .and_then(Scal::code)
        .or_else(|| top.result_type.and_then(Scal::code))
        .or_else(|| p.result_type.and_then(Scal::code))?;
    let t = p.created.or(p.time).or(p.time_generated).or(top.time);
    let mut user = first_of(p.upn, top.identity);
    if user.is_empty() {
        user = first_of(p.sp_name, None);
    }
    let mut details = Cow::Borrowed(additional.unwrap_or(""));
    for step in &p.steps {
        let d = details.to_mut();
        d.push_str("; ");
        d.push_str(step);
    }
    Some(SignInRef {
        time: t.and_then(time).map(Cow::Owned),
        code,
        user: lowercase(user),
        app: Cow::Borrowed(first_of(p.app_name, p.app_id)),
        ip: Cow::Borrowed(first_of(p.ip, top.caller_ip)),
        client_app: Cow::Borrowed(first_of(p.client_app, None)),
        os: Cow::Borrowed(p.os.unwrap_or("")),
        asn: p.asn.map_or(Cow::Borrowed(""), Scal::text),
        ca_failed: Cow::Owned(p.failed.iter().map(|s| s.to_string()).collect()),
        details,
        weight: 1,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{from_raw, Raw};
    use proptest::prelude::*;

    /// A small generator of JSON-lines records: every field `Raw` reads (with their
    /// aliases, duplicated sometimes), unknown fields, values of every type, the nested
    /// objects in every shape, and now and then a broken byte.
    pub(crate) struct Gen(pub u64, pub bool);

    impl Gen {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'s>(&mut self, xs: &[&'s str]) -> &'s str {
            xs[(self.next() % xs.len() as u64) as usize]
        }
        /// Like `pick`, from the first `clean` entries only when this line is a clean one.
        fn pick_clean<'s>(&mut self, xs: &[&'s str], clean: usize) -> &'s str {
            if self.1 {
                self.pick(&xs[..clean])
            } else {
                self.pick(xs)
            }
        }
        fn chance(&mut self, n: u64) -> bool {
            self.next().is_multiple_of(n)
        }
        fn ws(&mut self) -> &'static str {
            self.pick(&["", "", "", " ", "\n", " \t", "\r\n "])
        }
        fn string(&mut self) -> String {
            let s = self.pick_clean(
                &[
                    "",
                    " ",
                    "x",
                    " Alex@Contoso.com ",
                    "alex@contoso.com",
                    "ÉLODIE@contoso.com",
                    "50126",
                    " 50126 ",
                    "+50126",
                    "-1",
                    "4294967296",
                    "failure",
                    "Failure",
                    "success",
                    "Windows10",
                    "App 1",
                    "2025-03-01T00:00:01Z",
                    "2025-03-01T00:00:01.5000000+00:00",
                    "3/4/2025, 8:10:00.000 AM",
                    "not a time",
                    "a\\\"b",
                    "\\u00e9",
                    "tab\there",
                    "{\\\"errorCode\\\":50126}",
                    "[]",
                    "\\/",
                    "value",
                    "records",
                ],
                20,
            );
            format!("\"{s}\"")
        }
        fn number(&mut self) -> String {
            self.pick_clean(
                &[
                    "0",
                    "50126",
                    "7000232",
                    "4294967295",
                    "4294967296",
                    "18446744073709551615",
                    "18446744073709551616",
                    "-1",
                    "-0",
                    "1.5",
                    "0.0",
                    "1e3",
                    "1E400",
                    "007",
                    "-",
                    "1.",
                    ".5",
                    "12345678901234567890123",
                ],
                10,
            )
            .to_string()
        }
        fn scalar(&mut self) -> String {
            match self.next() % 8 {
                0 if self.1 => "\"50126\"".into(),
                0 => "null".into(),
                1 => self.pick(&["true", "false"]).into(),
                2 | 3 => self.number(),
                _ => self.string(),
            }
        }
        fn any(&mut self, depth: u32) -> String {
            match self.next() % 10 {
                0 if depth < 3 => {
                    let keys = ["errorCode", "additionalDetails", "x", "operatingSystem"];
                    self.object(depth + 1, &keys, false)
                }
                1 if depth < 3 => {
                    let n = self.next() % 3;
                    let items: Vec<String> = (0..n).map(|_| self.any(depth + 1)).collect();
                    format!("[{}]", items.join(","))
                }
                _ => self.scalar(),
            }
        }
        /// An object with keys from `keys` (and others); `raw`: the fields of `Raw`.
        fn object(&mut self, depth: u32, keys: &[&str], raw: bool) -> String {
            let n = self.next() % if raw { 16 } else { 6 };
            let mut parts = Vec::new();
            let mut used = Vec::new();
            if raw && self.1 && self.chance(2) {
                // Clean records mostly carry a code, so that the fast path is exercised.
                let (k, v) = (self.pick(&["resultType", "ResultType"]), self.scalar());
                used.push(k);
                parts.push(format!("\"{k}\":{v}"));
            }
            for _ in 0..n {
                let k = if self.chance(4) {
                    self.pick_clean(&["id", "category", "location", "key", "value"], 4)
                } else {
                    self.pick(keys)
                };
                if self.1 && used.contains(&k) {
                    continue;
                }
                used.push(k);
                let v = self.value(depth, k, raw);
                let (a, b) = (self.ws(), self.ws());
                parts.push(format!("{a}\"{k}\"{b}:{}{v}", self.ws()));
            }
            format!("{{{}{}}}", parts.join(","), self.ws())
        }
        fn value(&mut self, depth: u32, k: &str, raw: bool) -> String {
            if self.chance(if self.1 { 30 } else { 6 }) {
                return self.any(depth);
            }
            match k {
                "status" | "Status" => match self.next() % 4 {
                    0 => self.string(),
                    _ => self.object(
                        depth + 1,
                        &["errorCode", "additionalDetails", "failureReason"],
                        false,
                    ),
                },
                "deviceDetail" | "DeviceDetail" => {
                    self.object(depth + 1, &["operatingSystem", "browser"], false)
                }
                "appliedConditionalAccessPolicies"
                | "ConditionalAccessPolicies"
                | "AppliedConditionalAccessPolicies"
                | "authenticationDetails" => {
                    let n = self.next() % 4;
                    let keys = ["displayName", "result", "authenticationStepResultDetail"];
                    let items: Vec<String> = (0..n)
                        .map(|_| self.object(depth + 2, &keys, false))
                        .collect();
                    format!("[{}]", items.join(","))
                }
                "properties" if raw && depth < 2 => self.object(depth + 1, RAW_KEYS, true),
                "errorCode" | "resultType" | "ResultType" | "autonomousSystemNumber" => {
                    self.scalar()
                }
                _ if self.chance(8) => "null".into(),
                _ => self.string(),
            }
        }
        pub(crate) fn line(&mut self) -> String {
            let mut s = self.object(0, RAW_KEYS, true);
            if !self.1 && self.chance(5) && !s.is_empty() {
                // A broken line: a byte dropped or changed.
                let i = (self.next() % s.len() as u64) as usize;
                if s.is_char_boundary(i) && s.is_char_boundary(i + 1) {
                    let c = self.pick(&["", "}", "\"", ",", "x", "\u{1}"]);
                    s.replace_range(i..i + 1, c);
                }
            }
            s
        }
    }

    const RAW_KEYS: &[&str] = &[
        "time",
        "createdDateTime",
        "CreatedDateTime",
        "TimeGenerated",
        "resultType",
        "ResultType",
        "userPrincipalName",
        "UserPrincipalName",
        "identity",
        "servicePrincipalName",
        "ServicePrincipalName",
        "appDisplayName",
        "AppDisplayName",
        "appId",
        "AppId",
        "ipAddress",
        "IPAddress",
        "callerIpAddress",
        "clientAppUsed",
        "ClientAppUsed",
        "autonomousSystemNumber",
        "AutonomousSystemNumber",
        "status",
        "Status",
        "deviceDetail",
        "DeviceDetail",
        "appliedConditionalAccessPolicies",
        "ConditionalAccessPolicies",
        "AppliedConditionalAccessPolicies",
        "authenticationDetails",
        "properties",
        "properties",
        "resultType",
        "status",
        "properties",
    ];

    /// What the serde path gives for a line the fast path answers.
    fn serde_path(json: &str) -> Option<super::super::SignIn> {
        if json.contains("\"records\"") || json.contains("\"value\"") {
            return None;
        }
        from_raw(serde_json::from_str::<Raw>(json).ok()?).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// Whenever the fast path answers, the serde path gives the same record.
        #[test]
        fn the_fast_path_agrees_with_serde(seed in 1u64..) {
            let json = Gen(seed, seed.is_multiple_of(2)).line();
            if let Some(fast) = super::line(&json) {
                let fast = fast.into_owned();
                prop_assert_eq!(Some(fast), serde_path(&json), "{}", json);
            }
        }
    }

    proptest! {
        /// The word test finds exactly the words holding a quote, a backslash or a control
        /// character.
        #[test]
        fn the_word_test_is_exact(w in any::<u64>(), at in 0usize..8, c in prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, any::<u8>()]) {
            let mut bytes = w.to_le_bytes();
            bytes[at] = c;
            let want = bytes.iter().any(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(super::special(u64::from_le_bytes(bytes)), want);
        }
    }

    /// What `from_json` gives for a record read as `Value`, or the parse error, from text
    /// and from a reader (whose error positions the Graph reader reports).
    fn via_value(json: &str, kept: bool) -> [Result<super::super::SignIn, String>; 2] {
        use serde::de::DeserializeSeed;
        let read = |v: Result<serde_json::Value, serde_json::Error>| match v {
            Ok(v) => super::super::from_json(&v).map_err(|e| format!("record: {e}")),
            Err(e) => Err(format!("parse: {e}")),
        };
        let mut de = serde_json::Deserializer::from_str(json);
        let mut io = serde_json::Deserializer::from_reader(json.as_bytes());
        if kept {
            [
                read(super::super::SignInValue.deserialize(&mut de)),
                read(super::super::SignInValue.deserialize(&mut io)),
            ]
        } else {
            [
                read(serde::Deserialize::deserialize(&mut de)),
                read(serde::Deserialize::deserialize(&mut io)),
            ]
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The Graph reader's record (only the fields `from_json` reads built) reads like a
        /// whole `Value`: same record, same refusal, same parse error at the same place.
        #[test]
        fn kept_fields_read_like_a_whole_value(seed in 1u64..) {
            let json = Gen(seed, seed.is_multiple_of(2)).line();
            prop_assert_eq!(via_value(&json, true), via_value(&json, false), "{}", json);
        }
    }

    #[test]
    fn kept_fields_hit_the_same_limits_as_a_whole_value() {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        for json in [
            format!(r#"{{"resultType":"1","location":{}}}"#, deep(130)),
            format!(r#"{{"resultType":"1","location":{}}}"#, deep(120)),
            format!(r#"{{"resultType":"1","properties":{{"x":{}}}}}"#, deep(126)),
            r#"{"resultType":"1","location":{"lat":1e400}}"#.to_string(),
            r#"{"resultType":"1","location":"\ud800"}"#.to_string(),
            r#"{"resultType":"1","properties":[1,2],"properties":{"identity":7}}"#.to_string(),
            r#"{"resultType":"1","properties":{"identity":7},"properties":"x"}"#.to_string(),
        ] {
            assert_eq!(via_value(&json, true), via_value(&json, false), "{json}");
        }
    }

    /// The generator's lines are answered often enough for the test above to mean something.
    #[test]
    fn the_fast_path_answers_most_plain_records() {
        let mut answered = 0;
        let mut agreed_by_serde = 0;
        for seed in 1..5000u64 {
            let json = Gen(seed, seed.is_multiple_of(2)).line();
            answered += usize::from(super::line(&json).is_some());
            agreed_by_serde += usize::from(serde_path(&json).is_some());
        }
        assert!(
            answered * 4 > agreed_by_serde,
            "{answered} of {agreed_by_serde}"
        );
        assert!(answered > 200, "{answered}");
    }

    #[test]
    fn an_azure_monitor_line_is_read_by_the_fast_path() {
        let json = r#"{ "time": "2025-04-11T16:17:00.7397744Z", "category": "SignInLogs", "resultType": "50126", "callerIpAddress": "203.0.113.9", "identity": "Alex", "properties": {"createdDateTime":"2025-04-11T16:15:30.5431359+00:00","userPrincipalName":"Alex@Contoso.com","appDisplayName":"Azure Portal","status":{"errorCode":50126,"additionalDetails":"MFA denied"},"clientAppUsed":"Browser","deviceDetail":{"operatingSystem":"Windows10"},"authenticationDetails":[{"authenticationStepResultDetail":"MFA denied; user declined"}],"appliedConditionalAccessPolicies":[{"displayName":"Block legacy","result":"failure"},{"displayName":"MFA","result":"notApplied"}],"autonomousSystemNumber":8075}}"#;
        let r = super::line(json).unwrap().into_owned();
        assert_eq!(Some(r.clone()), serde_path(json));
        assert_eq!(r.user, "alex@contoso.com");
        assert_eq!(r.ca_failed, vec!["Block legacy"]);
        assert_eq!(r.details, "MFA denied; MFA denied; user declined");
        assert_eq!(r.asn, "8075");
        // Escapes, wrappers and JSON text in a string are left to serde.
        assert!(super::line(r#"{"resultType":"1","identity":"a\"b"}"#).is_none());
        assert!(super::line(r#"{"resultType":"1","value":[]}"#).is_none());
        assert!(super::line(r#"{"resultType":"1","Status":"{}"}"#).is_none());
    }
}
