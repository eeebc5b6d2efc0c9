//! RFC 3339 times to and from Unix seconds, without a date library.

// The civil calendar is the extractor's, shared rather than copied.
use aadsts_extract::{civil_from_days, days_from_civil};

/// Unix seconds as RFC 3339 UTC (`2024-11-02T17:04:11Z`).
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// An RFC 3339 / ISO 8601 date-time (`2024-11-02T17:04:11.123+01:00`, `…Z`, or without a
/// zone, read as UTC) as Unix seconds; fractions are dropped.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let oh: i64 = digits[..2].parse().ok()?;
            let om: i64 = digits[2..].parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset)
}

/// An HTTP date (`Sat, 02 Nov 2024 17:04:11 GMT`, RFC 9110 IMF-fixdate) as Unix seconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut it = s.split_whitespace();
    let _day = it.next()?;
    let d: i64 = it.next()?.parse().ok()?;
    let mon = it.next()?;
    let y: i64 = it.next()?.parse().ok()?;
    let hms = it.next()?;
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(mon))? as i64 + 1;
    let mut t = hms.split(':').map(|x| x.parse::<i64>().ok());
    let (h, mi, se) = (t.next()??, t.next()??, t.next()??);
    if !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// A duration in words: `3h 12m`, `45s`, `2d 4h`.
pub fn span(secs: i64) -> String {
    let s = secs.unsigned_abs();
    let (d, h, m, x) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {x}s")
    } else {
        format!("{x}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn round_trips() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_730_567_051), "2024-11-02T17:04:11Z");
        assert_eq!(parse("2024-11-02T17:04:11Z"), Some(1_730_567_051));
        assert_eq!(parse("2024-11-02T18:04:11.532+01:00"), Some(1_730_567_051));
        assert_eq!(parse("2024-11-02T17:04:11.5320000"), Some(1_730_567_051));
        assert_eq!(
            parse("2024-02-29T00:00:00Z").map(rfc3339).as_deref(),
            Some("2024-02-29T00:00:00Z")
        );
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2024-13-02T17:04:11Z"), None);
        assert_eq!(span(3 * 3600 + 12 * 60 + 5), "3h 12m");
        assert_eq!(
            parse_http_date("Sat, 02 Nov 2024 17:04:11 GMT"),
            Some(1_730_567_051)
        );
        assert_eq!(parse_http_date("Sat, 02 Foo 2024 17:04:11 GMT"), None);
    }
}
