//! One sign-in, whatever export it came from, and how each export's fields map onto it.

use serde_json::Value;
use std::borrow::Cow;

pub(crate) mod fast;
/// The JSON-lines fast path: a line's record when it is sure, else `None` (read it with
/// `Raw` and [`from_raw`], then [`from_json`]).
pub(crate) use fast::line as json_line_fast;

/// RFC 3339 UTC with trailing zeros of the fraction dropped, so that the same instant
/// reads the same from every export (`08:10:00.000Z` and `08:10:00Z`).
pub fn time(t: &str) -> Option<String> {
    let t = t.trim();
    // Fast paths for the two shapes that make up almost every row (ISO UTC, and Log
    // Analytics' `M/D/YYYY, h:mm:ss.fff AM`); anything else goes through the general parser.
    if let Some(x) = iso_utc(t).or_else(|| us_time(t)) {
        return Some(x);
    }
    let n = aadsts_extract::normalize_time(t)?;
    Some(match n.split_once('.') {
        Some((head, frac)) => with_fraction(head, frac.trim_end_matches('Z')),
        None => n,
    })
}

/// Checks the fields of a `--since`/`--until` value that starts with a date: the day must
/// exist in its month (`2025-02-30` is refused, not rolled over), the clock must be a
/// clock (hours to 23, minutes and seconds to 59) and an offset at most ±23:59 (`+99:00`
/// is refused). `Err` says what is wrong. Values in other shapes are left to the parser.
pub fn check_time_bound(t: &str) -> Result<(), String> {
    let t = t.trim();
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        digits(d).then(|| std::str::from_utf8(d).ok()?.parse().ok())?
    };
    if !(b.len() >= 10 && b[4] == b'-' && b[7] == b'-') {
        return Ok(());
    }
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return Err("the date is not YYYY-MM-DD".into());
    };
    if !(1..=12).contains(&m) {
        return Err(format!("there is no month {m}"));
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if d == 0 || d > days {
        return Err(format!("{y:04}-{m:02} has no day {d}"));
    }
    let rest = &t[10..];
    if rest.is_empty() {
        return Ok(());
    }
    let clock = rest
        .strip_prefix(['T', 't', ' '])
        .ok_or("after the date comes `T` and a time")?;
    let cb = clock.as_bytes();
    let two = |i: usize| -> Option<u32> {
        let d = cb.get(i..i + 2)?;
        digits(d).then(|| std::str::from_utf8(d).ok()?.parse().ok())?
    };
    let (Some(hh), Some(mm)) = (two(0), two(3)) else {
        return Err("the time is not HH:MM[:SS]".into());
    };
    if cb.get(2) != Some(&b':') {
        return Err("the time is not HH:MM[:SS]".into());
    }
    if hh > 23 || mm > 59 {
        return Err(format!("{hh:02}:{mm:02} is not a time of day"));
    }
    let mut i = 5;
    if cb.get(5) == Some(&b':') {
        let ss = two(6).ok_or("the seconds are not two digits")?;
        if ss > 59 {
            return Err(format!("{ss:02} is not a number of seconds"));
        }
        i = 8;
        if cb.get(8) == Some(&b'.') {
            i = 9 + cb[9..].iter().take_while(|c| c.is_ascii_digit()).count();
        }
    }
    let zone = &clock[i..];
    match zone.as_bytes() {
        [] | [b'Z' | b'z'] => Ok(()),
        [b'+' | b'-', ..] => {
            let z: Vec<u8> = zone.bytes().skip(1).filter(|c| *c != b':').collect();
            let ok = (z.len() == 2 || z.len() == 4) && digits(&z);
            let h: u32 = std::str::from_utf8(z.get(..2).unwrap_or(b"99"))
                .ok()
                .and_then(|x| x.parse().ok())
                .unwrap_or(99);
            let mi: u32 = std::str::from_utf8(z.get(2..).unwrap_or(b""))
                .ok()
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
            if ok && h <= 23 && mi <= 59 {
                Ok(())
            } else {
                Err(format!("{zone} is not a UTC offset (at most ±23:59)"))
            }
        }
        _ => Err(format!(
            "{zone:?} after the time is not `Z` or a UTC offset"
        )),
    }
}

fn with_fraction(head: &str, frac: &str) -> String {
    let mut out = String::with_capacity(head.len() + frac.len() + 2);
    out.push_str(head);
    push_fraction(&mut out, frac);
    out
}

/// `.digits` without trailing zeros (nothing when they are all zeros), then `Z`.
fn push_fraction(out: &mut String, frac: &str) {
    let digits = frac.trim_end_matches('0');
    if !digits.is_empty() {
        out.push('.');
        out.push_str(digits);
    }
    out.push('Z');
}

/// Appends `n` zero-padded to `width` digits. (Row times are built this way, not with
/// `format!`, which cost a fifth of a Log Analytics CSV scan.)
fn push_padded(out: &mut String, n: u32, width: u32) {
    for k in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10u32.pow(k) % 10) as u8));
    }
}

fn digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

fn iso_utc(t: &str) -> Option<String> {
    let (head, frac) = iso_utc_parts(t)?;
    Some(with_fraction(head, frac))
}

/// The time of a CSV cell as [`time`] gives it, without a new string for the two shapes of
/// almost every row: an ISO UTC time already in the output form is the cell itself, and a
/// Log Analytics time is written into `buf`.
pub(crate) fn time_in<'a>(t: &'a str, buf: &'a mut [u8; 64]) -> Option<Cow<'a, str>> {
    let t = trim(t);
    if let Some((head, frac)) = iso_utc_parts(t) {
        let digits = frac.trim_end_matches('0');
        let len = head.len()
            + if digits.is_empty() {
                0
            } else {
                1 + digits.len()
            }
            + 1;
        // `head[.digits]Z` exactly: nothing to change.
        if t.len() == len && t.ends_with('Z') {
            return Some(Cow::Borrowed(t));
        }
        return Some(Cow::Owned(with_fraction(head, frac)));
    }
    if let Some(p) = us_time_parts(t) {
        let digits = p.frac.trim_end_matches('0');
        // The longest fraction that fits: longer ones take the general path below.
        if digits.len() < 40 {
            let mut n = 0;
            let mut put = |bytes: &[u8]| {
                buf[n..n + bytes.len()].copy_from_slice(bytes);
                n += bytes.len();
            };
            let two = |v: u32| [b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8];
            put(&two(p.y / 100));
            put(&two(p.y % 100));
            put(b"-");
            put(&two(p.mo));
            put(b"-");
            put(&two(p.d));
            put(b"T");
            put(&two(p.h));
            put(b":");
            put(p.mi.as_bytes());
            put(b":");
            put(p.sec.as_bytes());
            if !digits.is_empty() {
                put(b".");
                put(digits.as_bytes());
            }
            put(b"Z");
            return std::str::from_utf8(&buf[..n]).ok().map(Cow::Borrowed);
        }
    }
    time(t).map(Cow::Owned)
}

/// `YYYY-MM-DDTHH:MM:SS` and the fraction's digits of an ISO time in UTC (`Z` or `+00:00`).
fn iso_utc_parts(t: &str) -> Option<(&str, &str)> {
    let b = t.as_bytes();
    if b.len() < 20
        || !(digits(&b[0..4])
            && b[4] == b'-'
            && digits(&b[5..7])
            && b[7] == b'-'
            && digits(&b[8..10]))
        || b[10] != b'T'
        || !(digits(&b[11..13])
            && b[13] == b':'
            && digits(&b[14..16])
            && b[16] == b':'
            && digits(&b[17..19]))
    {
        return None;
    }
    let rest = &t[19..];
    let (frac, zone) = match rest.strip_prefix('.') {
        Some(r) => {
            let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            (&r[..end], &r[end..])
        }
        None => ("", rest),
    };
    if zone != "Z" && zone != "+00:00" {
        return None;
    }
    let (mo, d): (u32, u32) = (t[5..7].parse().ok()?, t[8..10].parse().ok()?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    Some((&t[..19], frac))
}

/// The fields of a Log Analytics time (`M/D/YYYY, h:mm:ss.fff AM`), the hour on 24.
struct UsTime<'a> {
    y: u32,
    mo: u32,
    d: u32,
    h: u32,
    mi: &'a str,
    sec: &'a str,
    frac: &'a str,
}

fn us_time(t: &str) -> Option<String> {
    let UsTime {
        y,
        mo,
        d,
        h,
        mi,
        sec,
        frac,
    } = us_time_parts(t)?;
    let mut out = String::with_capacity(32);
    push_padded(&mut out, y, 4);
    out.push('-');
    push_padded(&mut out, mo, 2);
    out.push('-');
    push_padded(&mut out, d, 2);
    out.push('T');
    push_padded(&mut out, h, 2);
    out.push(':');
    out.push_str(mi);
    out.push(':');
    out.push_str(sec);
    push_fraction(&mut out, frac);
    Some(out)
}

/// [`us_time_parts`] of the shape Log Analytics writes (`M/D/YYYY, h:mm:ss[.f] AM`, digits
/// only), read in one pass; `None` for anything else, which the general reading decides.
fn us_time_fast(t: &str) -> Option<UsTime<'_>> {
    let b = t.as_bytes();
    let mut i = 0;
    // Up to `max` digits at `i` (at least one), as a number.
    let num = |i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        let mut v = 0u32;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            v = v * 10 + u32::from(b[*i] - b'0');
            *i += 1;
        }
        (*i > start).then_some(v)
    };
    let lit = |i: &mut usize, s: &[u8]| -> Option<()> {
        let end = *i + s.len();
        (b.get(*i..end)? == s).then(|| *i = end)
    };
    let mo = num(&mut i, 2)?;
    lit(&mut i, b"/")?;
    let d = num(&mut i, 2)?;
    lit(&mut i, b"/")?;
    let y_at = i;
    let y = num(&mut i, 4)?;
    if i - y_at != 4 {
        return None;
    }
    lit(&mut i, b", ")?;
    let mut h = num(&mut i, 2)?;
    lit(&mut i, b":")?;
    let two = |i: &mut usize| -> Option<&str> {
        let s = t.get(*i..*i + 2)?;
        digits(s.as_bytes()).then(|| *i += 2)?;
        Some(s)
    };
    let mi = two(&mut i)?;
    lit(&mut i, b":")?;
    let sec = two(&mut i)?;
    let mut frac = "";
    if lit(&mut i, b".").is_some() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac = &t[start..i];
        if frac.is_empty() {
            return None;
        }
    }
    match &b[i..] {
        b" AM" if h == 12 => h = 0,
        b" AM" => {}
        b" PM" if h < 12 => h += 12,
        b" PM" => {}
        _ => return None,
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 {
        return None;
    }
    Some(UsTime {
        y,
        mo,
        d,
        h,
        mi,
        sec,
        frac,
    })
}

fn us_time_parts(t: &str) -> Option<UsTime<'_>> {
    us_time_fast(t).or_else(|| us_time_general(t))
}

/// [`us_time_parts`] for any spacing and digit count the fast reading does not take.
fn us_time_general(t: &str) -> Option<UsTime<'_>> {
    let (date, rest) = t.split_once(", ")?;
    let mut it = date.split('/');
    let (mo, d, y): (u32, u32, u32) = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    let (clock, ampm) = rest.split_once(' ')?;
    let mut c = clock.split(':');
    let (h, mi, sec) = (c.next()?, c.next()?, c.next()?);
    let mut h: u32 = h.parse().ok()?;
    let (sec, frac) = sec.split_once('.').unwrap_or((sec, ""));
    if !digits(mi.as_bytes())
        || !digits(sec.as_bytes())
        || !(frac.is_empty() || digits(frac.as_bytes()))
    {
        return None;
    }
    match ampm {
        "AM" if h == 12 => h = 0,
        "AM" => {}
        "PM" if h < 12 => h += 12,
        "PM" => {}
        _ => return None,
    }
    if !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || y > 9999
        || mi.len() != 2
        || sec.len() != 2
    {
        return None;
    }
    Some(UsTime {
        y,
        mo,
        d,
        h,
        mi,
        sec,
        frac,
    })
}

/// The fields of a sign-in that the scan uses. Strings are empty when the export lacks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIn {
    /// RFC 3339 UTC, when the export carries a time.
    pub time: Option<String>,
    pub code: u32,
    pub user: String,
    pub app: String,
    pub ip: String,
    pub client_app: String,
    pub os: String,
    pub asn: String,
    /// Display names of Conditional Access policies whose result was `failure`.
    pub ca_failed: Vec<String>,
    /// `status.additionalDetails`, the portal's MFA result, and authentication step
    /// results joined: where "MFA denied; user declined the authentication" shows up.
    pub details: String,
    /// How many sign-ins this record stands for (text input: one record per distinct error).
    pub weight: u64,
}

/// A [`SignIn`] whose text is borrowed where it can be (from a CSV row): counting a row
/// then copies no field. [`SignIn::as_ref`] gives one of an owned record.
#[derive(Debug, Clone, Default)]
pub struct SignInRef<'a> {
    pub time: Option<Cow<'a, str>>,
    pub code: u32,
    pub user: Cow<'a, str>,
    pub app: Cow<'a, str>,
    pub ip: Cow<'a, str>,
    pub client_app: Cow<'a, str>,
    pub os: Cow<'a, str>,
    pub asn: Cow<'a, str>,
    pub ca_failed: Cow<'a, [String]>,
    pub details: Cow<'a, str>,
    pub weight: u64,
}

impl SignIn {
    pub fn as_ref(&self) -> SignInRef<'_> {
        SignInRef {
            time: self.time.as_deref().map(Cow::Borrowed),
            code: self.code,
            user: Cow::Borrowed(&self.user),
            app: Cow::Borrowed(&self.app),
            ip: Cow::Borrowed(&self.ip),
            client_app: Cow::Borrowed(&self.client_app),
            os: Cow::Borrowed(&self.os),
            asn: Cow::Borrowed(&self.asn),
            ca_failed: Cow::Borrowed(&self.ca_failed),
            details: Cow::Borrowed(&self.details),
            weight: self.weight,
        }
    }
}

impl SignInRef<'_> {
    pub fn into_owned(self) -> SignIn {
        SignIn {
            time: self.time.map(Cow::into_owned),
            code: self.code,
            user: self.user.into_owned(),
            app: self.app.into_owned(),
            ip: self.ip.into_owned(),
            client_app: self.client_app.into_owned(),
            os: self.os.into_owned(),
            asn: self.asn.into_owned(),
            ca_failed: self.ca_failed.into_owned(),
            details: self.details.into_owned(),
            weight: self.weight,
        }
    }
}

/// `s` in lower case, borrowed when it is already (ASCII without capitals: any other text
/// goes through `to_lowercase`, exactly as before).
fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

fn s(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn code_of(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// JSON text inside a string (Log Analytics exports dynamic columns as JSON text).
fn json_in(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => serde_json::from_str(s).ok(),
        Value::Object(_) | Value::Array(_) => v.cloned(),
        _ => None,
    }
}

fn failed_policies(v: Option<Value>) -> Vec<String> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|p| p.get("result").and_then(Value::as_str) == Some("failure"))
        .filter_map(|p| {
            p.get("displayName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect()
}

/// A sign-in from a JSON record: a Graph or portal JSON sign-in (camelCase at the top), an
/// Azure Monitor record (envelope with `properties`), or a Log Analytics row as JSON
/// (PascalCase columns). `Err` says why the record is not a sign-in.
pub fn from_json(v: &Value) -> Result<SignIn, String> {
    let Value::Object(top) = v else {
        return Err("not a JSON object".into());
    };
    // Azure Monitor puts the sign-in under `properties`; Graph and the portal do not.
    let p = match top.get("properties") {
        Some(inner @ Value::Object(_)) => inner,
        _ => v,
    };
    let get = |k: &str| p.get(k).or_else(|| top.get(k));
    let status = json_in(get("status").or_else(|| top.get("Status")));
    let code = status
        .as_ref()
        .and_then(|st| code_of(st.get("errorCode")))
        .or_else(|| code_of(top.get("resultType")))
        .or_else(|| code_of(top.get("ResultType")))
        .ok_or_else(|| {
            "no error code (looked for status.errorCode, resultType, ResultType)".to_string()
        })?;
    let time = [
        "createdDateTime",
        "time",
        "TimeGenerated",
        "CreatedDateTime",
    ]
    .iter()
    .find_map(|k| get(k).and_then(Value::as_str))
    .and_then(time);
    let mut user = s(get("userPrincipalName").or_else(|| top.get("UserPrincipalName")));
    if user.is_empty() {
        user = s(top.get("identity").or_else(|| get("servicePrincipalName")));
    }
    if user.is_empty() {
        user = s(top.get("ServicePrincipalName"));
    }
    let mut app = s(get("appDisplayName").or_else(|| top.get("AppDisplayName")));
    if app.is_empty() {
        app = s(get("appId").or_else(|| top.get("AppId")));
    }
    let mut ip = s(get("ipAddress").or_else(|| top.get("IPAddress")));
    if ip.is_empty() {
        ip = s(top.get("callerIpAddress"));
    }
    let device = json_in(get("deviceDetail").or_else(|| top.get("DeviceDetail")));
    let os = s(device.as_ref().and_then(|d| d.get("operatingSystem")));
    let ca = json_in(
        get("appliedConditionalAccessPolicies")
            .or_else(|| top.get("ConditionalAccessPolicies"))
            .or_else(|| top.get("AppliedConditionalAccessPolicies")),
    );
    let mut details = String::new();
    if let Some(st) = &status {
        details.push_str(&s(st.get("additionalDetails")));
    }
    if let Some(Value::Array(steps)) = json_in(get("authenticationDetails")) {
        for step in steps {
            let r = s(step.get("authenticationStepResultDetail"));
            if !r.is_empty() {
                details.push_str("; ");
                details.push_str(&r);
            }
        }
    }
    Ok(SignIn {
        time,
        code,
        user: user.to_lowercase(),
        app,
        ip,
        client_app: s(get("clientAppUsed").or_else(|| top.get("ClientAppUsed"))),
        os,
        asn: s(get("autonomousSystemNumber").or_else(|| top.get("AutonomousSystemNumber"))),
        ca_failed: failed_policies(ca),
        details,
        weight: 1,
    })
}

/// The keys [`from_json`] looks up, at the top of a record or under `properties`.
fn from_json_key(k: &str) -> bool {
    matches!(
        k,
        "properties"
            | "status"
            | "Status"
            | "resultType"
            | "ResultType"
            | "createdDateTime"
            | "time"
            | "TimeGenerated"
            | "CreatedDateTime"
            | "userPrincipalName"
            | "UserPrincipalName"
            | "identity"
            | "servicePrincipalName"
            | "ServicePrincipalName"
            | "appDisplayName"
            | "AppDisplayName"
            | "appId"
            | "AppId"
            | "ipAddress"
            | "IPAddress"
            | "callerIpAddress"
            | "deviceDetail"
            | "DeviceDetail"
            | "appliedConditionalAccessPolicies"
            | "ConditionalAccessPolicies"
            | "AppliedConditionalAccessPolicies"
            | "authenticationDetails"
            | "clientAppUsed"
            | "ClientAppUsed"
            | "autonomousSystemNumber"
            | "AutonomousSystemNumber"
    )
}

/// Reads a JSON value as `Value` does, byte for byte the same parse (so the same values are
/// accepted and the same errors raised), but keeps of an object only the keys
/// [`from_json`] looks up (at the top and under `properties`), the last of each as `Value`
/// keeps it; a value that is not an object becomes `null` (`from_json` refuses both the
/// same way). A Graph record is some 40 fields, of which `from_json` reads a dozen: the rest
/// are no longer built into maps and strings.
pub struct SignInValue;

impl<'de> serde::de::DeserializeSeed<'de> for SignInValue {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(Kept { depth: 0 })
    }
}

/// The visitor of [`SignInValue`]: `depth` 0 for the record, 1 for `properties`.
struct Kept {
    depth: u8,
}

impl<'de> serde::de::Visitor<'de> for Kept {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = serde_json::Map::new();
        while let Some(k) = map.next_key_seed(Key)? {
            if !from_json_key(&k) {
                map.next_value_seed(Skip)?;
            } else if k == "properties" && self.depth == 0 {
                kept.insert(k.into_owned(), map.next_value_seed(Props)?);
            } else {
                kept.insert(k.into_owned(), map.next_value::<Value>()?);
            }
        }
        Ok(Value::Object(kept))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        SkipVisitor.visit_seq(seq).map(|()| Value::Null)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_str<E>(self, _: &str) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// `properties`: an object kept like a record's top (depth 1); anything else becomes `null`,
/// and `from_json` then reads the record itself, as it does for `null`.
struct Props;

impl<'de> serde::de::DeserializeSeed<'de> for Props {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(Kept { depth: 1 })
    }
}

/// A map key, read as `Value` reads keys (`deserialize_str`).
struct Key;

impl<'de> serde::de::DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> serde::de::Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_string()))
    }
}

/// Passes over a value with the parse `Value` uses (`deserialize_any`, not serde_json's
/// `ignore_value`, which checks less), building nothing.
struct Skip;

impl<'de> serde::de::DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> serde::de::Visitor<'de> for SkipVisitor {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Key)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The fields of a JSON sign-in record, read without building a tree: the fast path for
/// JSON lines. Graph/portal names, Azure Monitor's envelope and Log Analytics' column
/// names are all accepted; anything else in the record is skipped.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Raw<'a> {
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "createdDateTime", alias = "CreatedDateTime")]
    created: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "TimeGenerated")]
    time_generated: Option<Cow<'a, str>>,
    #[serde(rename = "resultType", alias = "ResultType")]
    result_type: Option<Scalar>,
    #[serde(borrow, rename = "userPrincipalName", alias = "UserPrincipalName")]
    upn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    identity: Option<Cow<'a, str>>,
    #[serde(
        borrow,
        rename = "servicePrincipalName",
        alias = "ServicePrincipalName"
    )]
    sp_name: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "appDisplayName", alias = "AppDisplayName")]
    app_name: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "appId", alias = "AppId")]
    app_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "ipAddress", alias = "IPAddress")]
    ip: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "callerIpAddress")]
    caller_ip: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "clientAppUsed", alias = "ClientAppUsed")]
    client_app: Option<Cow<'a, str>>,
    #[serde(rename = "autonomousSystemNumber", alias = "AutonomousSystemNumber")]
    asn: Option<Scalar>,
    #[serde(alias = "Status")]
    status: Option<Nested<RawStatus>>,
    #[serde(rename = "deviceDetail", alias = "DeviceDetail")]
    device: Option<Nested<RawDevice>>,
    #[serde(
        rename = "appliedConditionalAccessPolicies",
        alias = "ConditionalAccessPolicies",
        alias = "AppliedConditionalAccessPolicies"
    )]
    policies: Option<Nested<Vec<RawPolicy>>>,
    #[serde(rename = "authenticationDetails")]
    steps: Option<Nested<Vec<RawStep>>>,
    #[serde(borrow)]
    properties: Option<Box<Raw<'a>>>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Scalar {
    N(u64),
    S(String),
    Other(serde::de::IgnoredAny),
}

impl Scalar {
    fn code(&self) -> Option<u32> {
        match self {
            Scalar::N(n) => u32::try_from(*n).ok(),
            Scalar::S(s) => s.trim().parse().ok(),
            Scalar::Other(_) => None,
        }
    }
    fn text(&self) -> String {
        match self {
            Scalar::N(n) => n.to_string(),
            Scalar::S(s) => s.trim().to_string(),
            Scalar::Other(_) => String::new(),
        }
    }
}

/// An object, or the same object as JSON text (Log Analytics' string-typed columns).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Nested<T> {
    Value(T),
    Text(String),
    Other(serde::de::IgnoredAny),
}

impl<T: serde::de::DeserializeOwned> Nested<T> {
    fn get(self) -> Option<T> {
        match self {
            Nested::Value(v) => Some(v),
            Nested::Text(t) => serde_json::from_str(&t).ok(),
            Nested::Other(_) => None,
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RawStatus {
    #[serde(rename = "errorCode")]
    error_code: Option<Scalar>,
    #[serde(rename = "additionalDetails")]
    additional_details: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RawDevice {
    #[serde(rename = "operatingSystem")]
    os: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RawPolicy {
    #[serde(rename = "displayName")]
    name: Option<String>,
    result: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RawStep {
    #[serde(rename = "authenticationStepResultDetail")]
    detail: Option<String>,
}

fn first_of(a: &Option<Cow<str>>, b: &Option<Cow<str>>) -> String {
    a.as_deref()
        .filter(|x| !x.trim().is_empty())
        .or(b.as_deref())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// A sign-in from a typed record (same rules as [`from_json`]).
pub fn from_raw(mut top: Raw) -> Result<SignIn, String> {
    let env_time = top.time.clone();
    let result_type = top.result_type.take();
    let identity = top.identity.clone();
    let caller_ip = top.caller_ip.clone();
    // Azure Monitor: the sign-in is under `properties`; otherwise the record is the sign-in
    // (a Graph record on a line of its own, a Log Analytics row as JSON), all of its fields:
    // only the envelope's four were read before, so such a row lost its user, app and IP.
    let mut p = match top.properties.take() {
        Some(p) => *p,
        None => top,
    };
    let status = p.status.take().and_then(Nested::get);
    let code = status
        .as_ref()
        .and_then(|s| s.error_code.as_ref().and_then(Scalar::code))
        .or_else(|| result_type.as_ref().and_then(Scalar::code))
        .or_else(|| p.result_type.as_ref().and_then(Scalar::code))
        .ok_or_else(|| {
            "no error code (looked for status.errorCode, resultType, ResultType)".to_string()
        })?;
    let t = p
        .created
        .as_deref()
        .or(p.time.as_deref())
        .or(p.time_generated.as_deref())
        .or(env_time.as_deref());
    let mut user = first_of(&p.upn, &identity);
    if user.is_empty() {
        user = first_of(&p.sp_name, &None);
    }
    let mut details = status
        .and_then(|s| s.additional_details)
        .unwrap_or_default();
    for step in p.steps.take().and_then(Nested::get).unwrap_or_default() {
        if let Some(d) = step.detail.filter(|d| !d.is_empty()) {
            details.push_str("; ");
            details.push_str(&d);
        }
    }
    Ok(SignIn {
        time: t.and_then(time),
        code,
        user: user.to_lowercase(),
        app: first_of(&p.app_name, &p.app_id),
        ip: first_of(&p.ip, &caller_ip),
        client_app: first_of(&p.client_app, &None),
        os: p
            .device
            .take()
            .and_then(Nested::get)
            .and_then(|d| d.os)
            .unwrap_or_default(),
        asn: p.asn.as_ref().map(Scalar::text).unwrap_or_default(),
        ca_failed: p
            .policies
            .take()
            .and_then(Nested::get)
            .unwrap_or_default()
            .into_iter()
            .filter(|x| x.result.as_deref() == Some("failure"))
            .filter_map(|x| x.name)
            .collect(),
        details,
        weight: 1,
    })
}

/// Column positions of a sign-in CSV, found by name (portal download, Log Analytics
/// export, Excel re-save). Names are compared trimmed, lower-cased, with runs of spaces
/// collapsed: the portal writes `"Application ID "` and `"Autonomous system  number"`.
#[derive(Debug, Default, Clone)]
pub struct CsvColumns {
    time: Option<usize>,
    code: Option<usize>,
    status: Option<usize>,
    user: Option<usize>,
    sp_name: Option<usize>,
    app: Option<usize>,
    app_id: Option<usize>,
    ip: Option<usize>,
    client_app: Option<usize>,
    os: Option<usize>,
    device: Option<usize>,
    asn: Option<usize>,
    ca: Option<usize>,
    mfa_result: Option<usize>,
}

pub fn normalize_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Where [`CsvColumns::used`] puts the code and the status.
const CODE: usize = 1;
const STATUS: usize = 2;

impl CsvColumns {
    /// `None` when the header has no error-code column: not a sign-in export.
    pub fn from_header(headers: &[String]) -> Option<CsvColumns> {
        let names: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        // The first column of a name wins (the portal repeats `Incoming token type`).
        let find = |cands: &[&str]| cands.iter().find_map(|c| names.iter().position(|n| n == c));
        let c = CsvColumns {
            time: find(&[
                "date (utc)",
                "timegenerated [utc]",
                "timegenerated",
                "createddatetime [utc]",
                "createddatetime",
                "date",
            ]),
            code: find(&[
                "sign-in error code",
                "resulttype",
                "errorcode",
                "error code",
            ]),
            status: find(&["status"]),
            user: find(&[
                "username",
                "userprincipalname",
                "user principal name",
                "user",
            ]),
            sp_name: find(&["service principal name", "serviceprincipalname"]),
            app: find(&["application", "appdisplayname"]),
            app_id: find(&["application id", "appid"]),
            ip: find(&["ip address", "ipaddress", "callersipaddress"]),
            client_app: find(&["client app", "clientappused"]),
            os: find(&["operating system"]),
            device: find(&["devicedetail"]),
            asn: find(&["autonomous system number", "autonomoussystemnumber"]),
            ca: find(&[
                "conditionalaccesspolicies",
                "appliedconditionalaccesspolicies",
            ]),
            mfa_result: find(&["multifactor authentication result"]),
        };
        c.code.map(|_| c)
    }

    /// The columns a record is built from, in the order `record_with` takes their cells
    /// (the code at [`CODE`], the status at [`STATUS`]).
    fn used(&self) -> [Option<usize>; 14] {
        [
            self.time,
            self.code,
            self.status,
            self.user,
            self.sp_name,
            self.app,
            self.app_id,
            self.ip,
            self.client_app,
            self.os,
            self.device,
            self.asn,
            self.ca,
            self.mfa_result,
        ]
    }

    pub fn record(&self, row: &csv::StringRecord) -> Result<SignIn, String> {
        self.record_with(
            self.used()
                .map(|i| i.and_then(|i| row.get(i)).unwrap_or("").trim()),
            &mut [0u8; 64],
        )
        .map(SignInRef::into_owned)
    }

    /// The record of a raw row, without copying it. Only the columns this tool reads are
    /// decoded; a row with a stray non-UTF-8 byte in one of them (a Latin-1 name) is
    /// decoded lossily rather than lost.
    pub fn record_bytes(&self, row: &csv::ByteRecord) -> Result<SignIn, String> {
        self.record_cells(|i| row.get(i).map(Cow::Borrowed))
    }

    /// The record of a row given cell by cell (`cell(i)`: the content of column `i`, `None`
    /// past the row's end). Only the columns this tool reads are asked for and decoded, each
    /// on its own (lossily when it is not UTF-8, as `csv` decodes a row lossily).
    pub fn record_cells<'c>(
        &self,
        cell: impl Fn(usize) -> Option<Cow<'c, [u8]>>,
    ) -> Result<SignIn, String> {
        self.record_cells_then(cell, |r| r.map(SignInRef::into_owned))
    }

    /// Like [`Self::record_cells`], handing the record to `then` with its text borrowed
    /// from the cells.
    pub fn record_cells_then<'c, R>(
        &self,
        cell: impl Fn(usize) -> Option<Cow<'c, [u8]>>,
        then: impl FnOnce(Result<SignInRef<'_>, String>) -> R,
    ) -> R {
        self.record_text_then(
            |i| match cell(i)? {
                Cow::Borrowed(b) => Some(utf8_lossy(b)),
                Cow::Owned(b) => Some(match String::from_utf8(b) {
                    Ok(s) => Cow::Owned(s),
                    Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
                }),
            },
            then,
        )
    }

    /// Like [`Self::record_cells_then`] with cells given as text (a chunk checked as UTF-8
    /// once, instead of each cell on its own).
    pub(crate) fn record_text_then<'c, R>(
        &self,
        cell: impl Fn(usize) -> Option<Cow<'c, str>>,
        then: impl FnOnce(Result<SignInRef<'_>, String>) -> R,
    ) -> R {
        let decode = |i: Option<usize>| i.and_then(&cell).unwrap_or(Cow::Borrowed(""));
        let mut used = self.used();
        // The status cell (JSON text in Log Analytics, which must be unquoted) is read only
        // when the record needs it: an empty code, or MFA details to look for.
        let code = decode(self.code);
        let need_status = match trim(&code) {
            "" => true,
            c => c.parse::<u32>() == Ok(500121),
        };
        if !need_status {
            used[STATUS] = None;
        }
        used[CODE] = None;
        let mut text: [Cow<str>; 14] = used.map(decode);
        text[CODE] = code;
        let mut buf = [0u8; 64];
        then(self.record_with(std::array::from_fn(|k| trim(&text[k])), &mut buf))
    }

    /// Builds the record from the trimmed cells of [`Self::used`] (empty where the export
    /// has no such column).
    fn record_with<'c>(
        &self,
        cells: [&'c str; 14],
        time_buf: &'c mut [u8; 64],
    ) -> Result<SignInRef<'c>, String> {
        let [time_cell, code_cell, status_cell, user_cell, sp_name, app_cell, app_id, ip, client_app, os_cell, device, asn, ca_cell, mfa_result] =
            cells;
        let code = if code_cell.is_empty() {
            // The portal may leave the code empty on successful rows.
            match status_cell {
                "Success" | "success" => 0,
                _ => {
                    return Err(format!(
                        "empty error code (status {:?})",
                        if status_cell.is_empty() {
                            "missing"
                        } else {
                            status_cell
                        }
                    ))
                }
            }
        } else {
            code_cell
                .parse::<u32>()
                .map_err(|_| format!("error code {code_cell:?} is not a number"))?
        };
        let time = match time_cell {
            "" => None,
            t => Some(
                time_in(t, time_buf)
                    .ok_or_else(|| format!("time {t:?} is not a date this tool reads"))?,
            ),
        };
        let mut user = lowercase(user_cell);
        if user.is_empty() {
            user = Cow::Borrowed(sp_name);
        }
        let app = if app_cell.is_empty() {
            app_id
        } else {
            app_cell
        };
        // JSON text cells (Log Analytics) are parsed only when their content is needed:
        // parsing every row's Status would cost more than the rest of the row.
        let mut os = Cow::Borrowed(os_cell);
        if os.is_empty() {
            if let Some(d) = json_text(device) {
                os = Cow::Owned(s(d.get("operatingSystem")));
            }
        }
        let ca = match ca_cell {
            "" | "[]" => None,
            cell => json_text(cell),
        };
        let mut details = Cow::Borrowed(mfa_result);
        if details.is_empty() && code == 500121 {
            if let Some(st) = json_text(status_cell) {
                details = Cow::Owned(s(st.get("additionalDetails")));
            }
        }
        Ok(SignInRef {
            time,
            code,
            user,
            app: Cow::Borrowed(app),
            ip: Cow::Borrowed(ip),
            client_app: Cow::Borrowed(client_app),
            os,
            asn: Cow::Borrowed(asn),
            ca_failed: Cow::Owned(failed_policies(ca)),
            details,
            weight: 1,
        })
    }
}

/// `s` without white space at either end; a cell that starts and ends with printable ASCII
/// (nearly all) is returned without walking it for Unicode white space.
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let plain = |c: u8| c > b' ' && c < 0x7f;
    match (b.first(), b.last()) {
        (Some(&x), Some(&y)) if plain(x) && plain(y) => s,
        _ => s.trim(),
    }
}

/// Text from bytes, invalid UTF-8 replaced. The check alone (word-at-a-time over ASCII)
/// is several times faster than the lossy decoder's walk, and bytes are almost always valid.
pub(crate) fn utf8_lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

fn json_text(cell: &str) -> Option<Value> {
    cell.starts_with(['{', '['])
        .then(|| serde_json::from_str(cell).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record without `properties` is the sign-in: a Log Analytics row saved as JSON
    /// (its columns as the object's keys) keeps its user, app and IP in
    /// both readers of a JSON line; they were read only from an Azure Monitor envelope.
    #[test]
    fn a_log_analytics_row_as_json_keeps_its_user_app_and_ip() {
        let line = r#"{"TimeGenerated":"2025-03-01T10:00:00Z","ResultType":"50126","UserPrincipalName":"Ana@Contoso.com","AppDisplayName":"Outlook","IPAddress":"203.0.113.5","ClientAppUsed":"Browser"}"#;
        let slow = from_raw(serde_json::from_str::<Raw>(line).unwrap()).unwrap();
        let fast = json_line_fast(line).unwrap();
        for (user, app, ip, client, time) in [
            (
                slow.user.as_str(),
                slow.app.as_str(),
                slow.ip.as_str(),
                slow.client_app.as_str(),
                slow.time.as_deref(),
            ),
            (
                &*fast.user,
                &*fast.app,
                &*fast.ip,
                &*fast.client_app,
                fast.time.as_deref(),
            ),
        ] {
            assert_eq!(
                (user, app, ip, client, time),
                (
                    "ana@contoso.com",
                    "Outlook",
                    "203.0.113.5",
                    "Browser",
                    Some("2025-03-01T10:00:00Z")
                )
            );
        }
        assert_eq!((slow.code, fast.code), (50126, 50126));
    }

    #[test]
    fn times_from_every_export_agree() {
        for (input, want) in [
            ("2025-03-04T08:10:00Z", "2025-03-04T08:10:00Z"),
            ("2025-03-04T08:10:00.0000000Z", "2025-03-04T08:10:00Z"),
            (
                "2025-03-04T08:10:00.5431359+00:00",
                "2025-03-04T08:10:00.5431359Z",
            ),
            ("3/4/2025, 8:10:00.000 AM", "2025-03-04T08:10:00Z"),
            ("3/4/2025, 12:10:00.250 AM", "2025-03-04T00:10:00.25Z"),
            ("3/4/2025, 12:10:00.000 PM", "2025-03-04T12:10:00Z"),
            ("3/4/2025, 1:45:17.287 PM", "2025-03-04T13:45:17.287Z"),
            ("2025-03-04T10:10:00+02:00", "2025-03-04T08:10:00Z"),
        ] {
            assert_eq!(time(input).as_deref(), Some(want), "{input}");
        }
        assert_eq!(time("13/45/2025, 1:00:00 PM"), None);
        // The CSV cells' path gives the same strings (borrowed where nothing changes).
        for input in [
            "2025-03-04T08:10:00Z",
            " 2025-03-04T08:10:00Z ",
            "2025-03-04T08:10:00.Z",
            "2025-03-04T08:10:00.000Z",
            "2025-03-04T08:10:00.1230Z",
            "2025-03-04T08:10:00.123Z",
            "2025-03-04T08:10:00+00:00",
            "2025-03-04T08:10:00.5+00:00",
            "2025-03-04T10:10:00+02:00",
            "3/4/2025, 8:10:00.000 AM",
            "12/31/2025, 12:59:59.999 PM",
            "3/4/2025, 12:10:00.250 AM",
            "3/4/2025, 1:45:17 PM",
            "3/4/0995, 1:45:17.1 PM",
            "3/4/2025, 1:45:17.1234567890123456789012345678901234567891 PM",
            "13/45/2025, 1:00:00 PM",
            "2025-13-04T08:10:00Z",
            "yesterday",
            "",
        ] {
            let mut buf = [0u8; 64];
            assert_eq!(
                time_in(input, &mut buf).map(Cow::into_owned),
                time(input),
                "{input}"
            );
        }
        // The one-pass reading of Log Analytics times agrees with the general one wherever
        // it reads one.
        for input in [
            "3/4/2025, 8:10:00.000 AM",
            "03/04/2025, 08:10:00.000 PM",
            "3/4/2025, 12:10:00 AM",
            "3/4/2025, 12:10:00. AM",
            "3/4/2025, 13:10:00 PM",
            "3/4/2025, 0:10:00 AM",
            "12/31/9999, 11:59:59.9 PM",
            "0/4/2025, 8:10:00 AM",
            "3/32/2025, 8:10:00 AM",
            "3/4/25, 8:10:00 AM",
            "3/4/2025/1, 8:10:00 AM",
            "3/4/2025, 8:10:00:01 AM",
            "3/4/2025, 8:1:00 AM",
            "3/4/2025, 8:10:00 AM ",
            "3/4/2025, 8:10:00 am",
            "+3/4/2025, 8:10:00 AM",
            "3/4/2025,  8:10:00 AM",
        ] {
            let fast = us_time_fast(input).map(|p| (p.y, p.mo, p.d, p.h, p.mi, p.sec, p.frac));
            let general =
                us_time_general(input).map(|p| (p.y, p.mo, p.d, p.h, p.mi, p.sec, p.frac));
            if fast.is_some() {
                assert_eq!(fast, general, "{input}");
            }
            if input.starts_with("3/4/2025, 8:10:00.000 AM") || input.starts_with("12/31/9999") {
                assert!(fast.is_some(), "{input}");
            }
        }
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a\u{a0}",
            "a\r",
            "\u{e9}",
            "x y",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
        assert_eq!(time("2025-13-04T08:10:00Z"), None);
    }

    #[test]
    fn time_bounds_that_do_not_exist_are_refused() {
        for ok in [
            "2025-03-01",
            "2024-02-29",
            "2025-03-01T08:00:00Z",
            "2025-03-01T08:00Z",
            "2025-03-01T08:00:00.123+02:00",
            "2025-03-01 08:00:00-0530",
            "2025-12-31T23:59:59+23:59",
            "3/4/2025, 8:10:00.000 AM",
        ] {
            assert_eq!(check_time_bound(ok), Ok(()), "{ok}");
        }
        for bad in [
            "2025-02-30",
            "2025-02-29",
            "2025-13-01",
            "2025-04-31T00:00:00Z",
            "2025-03-01T24:00:00Z",
            "2025-03-01T08:60:00Z",
            "2025-03-01T08:00:61Z",
            "2025-03-01T08:00:00+99:00",
            "2025-03-01T08:00:00+05:75",
            "2025-03-01T08:00:00+5",
            "2025-03-01T08:00:00 UTC+1",
        ] {
            assert!(check_time_bound(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn azure_monitor_record_with_properties() {
        let v: Value = serde_json::from_str(r#"{ "time": "2025-04-11T16:17:00.7397744Z", "category": "SignInLogs", "resultType": "50126", "callerIpAddress": "203.0.113.9", "identity": "Alex", "properties": {"createdDateTime":"2025-04-11T16:15:30.5431359+00:00","userPrincipalName":"Alex@Contoso.com","appDisplayName":"Azure Portal","status":{"errorCode":50126,"failureReason":"Invalid"},"clientAppUsed":"Browser","deviceDetail":{"operatingSystem":"Windows10"},"appliedConditionalAccessPolicies":[{"displayName":"Block legacy","result":"failure"},{"displayName":"MFA","result":"notApplied"}]}}"#).unwrap();
        let r = from_json(&v).unwrap();
        assert_eq!(r.code, 50126);
        assert_eq!(r.user, "alex@contoso.com");
        assert_eq!(r.ip, "203.0.113.9");
        assert_eq!(r.time.as_deref(), Some("2025-04-11T16:15:30.5431359Z"));
        assert_eq!(r.os, "Windows10");
        assert_eq!(r.ca_failed, vec!["Block legacy"]);
    }

    #[test]
    fn managed_identity_failure_without_description() {
        let v: Value = serde_json::from_str(r#"{"time":"2025-04-22T20:02:10.8937350Z","category":"ManagedIdentitySignInLogs","resultType":"7000232","properties":{"userId":null,"appId":"29031b34-0000-4000-8000-000000000000","ipAddress":"","status":{"errorCode":7000232},"servicePrincipalName":"my-test"}}"#).unwrap();
        let r = from_json(&v).unwrap();
        assert_eq!(r.code, 7000232);
        assert_eq!(r.user, "my-test");
        assert_eq!(r.app, "29031b34-0000-4000-8000-000000000000");
    }

    #[test]
    fn record_without_code_is_rejected_with_reason() {
        let v: Value =
            serde_json::from_str(r#"{"createdDateTime":"2025-01-01T00:00:00Z"}"#).unwrap();
        assert!(from_json(&v).unwrap_err().contains("no error code"));
    }

    #[test]
    fn portal_header_quirks_are_tolerated() {
        let h: Vec<String> = [
            "\u{feff}Date (UTC)",
            "Application ID ",
            "Autonomous system  number",
            "Incoming token type",
            "Sign-in error code",
            "Incoming token type",
            "Status",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = CsvColumns::from_header(&h).unwrap();
        assert_eq!(c.time, Some(0));
        assert_eq!(c.app_id, Some(1));
        assert_eq!(c.asn, Some(2));
        let row = csv::StringRecord::from(vec![
            "2025-03-04T08:19:41Z",
            "x",
            "8075",
            "None",
            "",
            "None",
            "Success",
        ]);
        assert_eq!(c.record(&row).unwrap().code, 0);
        let row = csv::StringRecord::from(vec![
            "2025-03-04T08:19:41Z",
            "x",
            "8075",
            "None",
            "",
            "None",
            "Failure",
        ]);
        assert!(c.record(&row).unwrap_err().contains("empty error code"));
    }
}
