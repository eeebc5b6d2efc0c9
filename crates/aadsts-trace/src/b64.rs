//! Base64 in both alphabets (standard and URL-safe), padding optional, whitespace ignored.

/// Decodes standard or URL-safe base64; `None` on any other character or a bad length.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut seen_pad = false;
    let mut n = 0usize;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                seen_pad = true;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if seen_pad {
            return None;
        }
        n += 1;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if n % 4 == 1 {
        return None;
    }
    Some(out)
}

/// Standard base64 with padding.
pub fn encode(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_alphabets() {
        for s in ["", "a", "ab", "abc", "abcd", "hello world?>>"] {
            assert_eq!(
                super::decode(&super::encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
        assert_eq!(super::decode("Pz8-Pw").unwrap(), b"??>?");
        assert_eq!(super::decode("Pz8+Pw==").unwrap(), b"??>?");
        assert!(super::decode("a").is_none());
        assert!(super::decode("ab*c").is_none());
    }
}
