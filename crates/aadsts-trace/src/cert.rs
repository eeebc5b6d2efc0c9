//! Just enough X.509 to describe a SAML signing certificate: subject, issuer, validity and
//! the SHA-1 thumbprint Entra shows on the app's SAML certificate. Nothing is verified.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// RFC 3339 UTC.
    pub not_before: String,
    pub not_after: String,
    /// SHA-1 of the DER, upper-case hex, as the Entra portal shows it.
    pub thumbprint: String,
}

/// Reads a base64 DER certificate (whitespace allowed); `None` if it is not one.
pub fn describe(b64: &str) -> Option<CertInfo> {
    let der = crate::b64::decode(b64)?;
    let (cert, _) = tlv(&der, 0x30)?;
    let (tbs, _) = tlv(cert, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = tlv(rest, 0xA0)?.1;
    }
    rest = tlv(rest, 0x02)?.1; // serial number
    rest = tlv(rest, 0x30)?.1; // signature algorithm
    let (issuer, r) = tlv(rest, 0x30)?;
    let (validity, r) = tlv(r, 0x30)?;
    let (subject, _) = tlv(r, 0x30)?;
    let (nb, v) = time_of(validity)?;
    let (na, _) = time_of(v)?;
    Some(CertInfo {
        subject: name(subject),
        issuer: name(issuer),
        not_before: crate::time::rfc3339(nb),
        not_after: crate::time::rfc3339(na),
        thumbprint: sha1(&der).iter().map(|b| format!("{b:02X}")).collect(),
    })
}

/// The certificate's SubjectPublicKeyInfo element (DER, tag and length included), for
/// the signature checks in [`crate::keys`].
pub fn public_key_info(der: &[u8]) -> Option<&[u8]> {
    let (cert, _) = tlv(der, 0x30)?;
    let (tbs, _) = tlv(cert, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = tlv(rest, 0xA0)?.1;
    }
    rest = tlv(rest, 0x02)?.1; // serial number
    rest = tlv(rest, 0x30)?.1; // signature algorithm
    rest = tlv(rest, 0x30)?.1; // issuer
    rest = tlv(rest, 0x30)?.1; // validity
    rest = tlv(rest, 0x30)?.1; // subject
    let (_, after) = tlv(rest, 0x30)?;
    Some(&rest[..rest.len() - after.len()])
}

/// One DER element of the expected tag: its content and what follows it.
fn tlv(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *b.first()? != tag {
        return None;
    }
    let first = *b.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut l = 0usize;
        for i in 0..n {
            l = (l << 8) | *b.get(2 + i)? as usize;
        }
        (l, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    Some((b.get(hdr..end)?, b.get(end..)?))
}

fn time_of(b: &[u8]) -> Option<(i64, &[u8])> {
    let (tag, body, rest) = match b.first()? {
        0x17 => {
            let (c, r) = tlv(b, 0x17)?;
            (0x17, c, r)
        }
        0x18 => {
            let (c, r) = tlv(b, 0x18)?;
            (0x18, c, r)
        }
        _ => return None,
    };
    let s = std::str::from_utf8(body).ok()?;
    let full = if tag == 0x17 {
        let yy: i64 = s.get(0..2)?.parse().ok()?;
        format!("{}{}", if yy >= 50 { 19 } else { 20 }, s)
    } else {
        s.to_string()
    };
    let f = full.as_str();
    let t = format!(
        "{}-{}-{}T{}:{}:{}Z",
        f.get(0..4)?,
        f.get(4..6)?,
        f.get(6..8)?,
        f.get(8..10)?,
        f.get(10..12)?,
        f.get(12..14)?
    );
    Some((crate::time::parse(&t)?, rest))
}

/// A distinguished name as `CN=…, O=…` (the attributes we know by name).
fn name(mut b: &[u8]) -> String {
    let mut parts = Vec::new();
    while let Some((set, rest)) = tlv(b, 0x31) {
        b = rest;
        let Some((seq, _)) = tlv(set, 0x30) else {
            continue;
        };
        let Some((oid, val)) = tlv(seq, 0x06) else {
            continue;
        };
        let label = match oid {
            [0x55, 0x04, 0x03] => "CN",
            [0x55, 0x04, 0x0A] => "O",
            [0x55, 0x04, 0x0B] => "OU",
            [0x55, 0x04, 0x06] => "C",
            [0x55, 0x04, 0x07] => "L",
            [0x55, 0x04, 0x08] => "ST",
            _ => continue,
        };
        let Some(tag) = val.first().copied() else {
            continue;
        };
        if let Some((v, _)) = tlv(val, tag) {
            parts.push(format!("{label}={}", String::from_utf8_lossy(v)));
        }
    }
    parts.join(", ")
}

/// SHA-1 (FIPS 180-4), for thumbprints only.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([
                block[4 * i],
                block[4 * i + 1],
                block[4 * i + 2],
                block[4 * i + 3],
            ]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha1_known_answers() {
        let hex = |d: [u8; 20]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(super::sha1(b"")),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            hex(super::sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(super::sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }
}
