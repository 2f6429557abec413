//! Reading a `Content-Type` header value the way Meilisearch's HTTP stack does: actix-web's
//! `HttpMessage::mime_type` (the value must be visible ASCII) followed by the `mime` crate's
//! parser (RFC 7231 tokens, no space before `;`, well-formed `name=value` parameters).
//!
//! ```text
//!   "Application/JSON+x; charset=utf-8"
//!    └─ type ──┘ └subtype┘└suffix┘ └─ parameters: validated, then dropped
//!   → MediaType { top_level: "application", subtype: "json" }
//! ```
//!
//! Only validity, the lowercased type and the subtype (up to its last `+`) matter to the caller,
//! so that is all this keeps.

/// The parts of a media type that select a document format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MediaType {
    /// The top-level type, lowercased (`application`).
    pub top_level: String,
    /// The subtype, lowercased, without a `+suffix` (`json` for `json+x`).
    pub subtype: String,
}

/// The media type of a header value, or `None` where actix-web reports a parse error.
pub(super) fn parse_media_type(header_value: &str) -> Option<MediaType> {
    let bytes = header_value.as_bytes();
    if !bytes.iter().all(|&byte| is_visible_ascii(byte)) {
        return None;
    }
    // Type: one or more token bytes, then `/`.
    let slash = bytes.iter().position(|&byte| !is_token(byte))?;
    if slash == 0 || bytes[slash] != b'/' {
        return None;
    }

    // Subtype: token bytes up to the end or to `;`; a `+` past its first byte starts a suffix.
    let subtype_start = slash + 1;
    let mut last_plus = None;
    let mut subtype_end = bytes.len();
    for (index, &byte) in bytes.iter().enumerate().skip(subtype_start) {
        match byte {
            b'+' if index > subtype_start => last_plus = Some(index),
            b';' if index > subtype_start => {
                if !parameters_are_well_formed(bytes, index) {
                    return None;
                }
                subtype_end = index;
                break;
            }
            _ if is_token(byte) => {}
            _ => return None,
        }
    }

    let subtype_without_suffix = &header_value[subtype_start..last_plus.unwrap_or(subtype_end)];
    Some(MediaType {
        top_level: header_value[..slash].to_ascii_lowercase(),
        subtype: subtype_without_suffix.to_ascii_lowercase(),
    })
}

/// Whether the parameters after the `;` at `semicolon` parse: each is optional spaces, a token
/// name, `=`, then a token value or a quoted string (no escapes) optionally followed by spaces;
/// parameters are separated by `;`. An empty value (`a=`) is accepted, an empty quoted one is not.
fn parameters_are_well_formed(bytes: &[u8], semicolon: usize) -> bool {
    let mut cursor = semicolon + 1;
    while cursor < bytes.len() {
        let name_start = cursor;
        if bytes[cursor] == b' ' {
            cursor += 1;
            continue;
        }
        // Name, up to `=`.
        loop {
            match bytes.get(cursor) {
                Some(&byte) if is_token(byte) => cursor += 1,
                Some(b'=') if cursor > name_start => {
                    cursor += 1;
                    break;
                }
                _ => return false,
            }
        }
        // Value.
        if bytes.get(cursor) == Some(&b'"') {
            match skip_quoted_value(bytes, cursor + 1) {
                Some(after_value) => cursor = after_value,
                None => return false,
            }
        } else {
            let value_start = cursor;
            loop {
                match bytes.get(cursor) {
                    None => break,
                    Some(&byte) if is_token(byte) => cursor += 1,
                    Some(b';') if cursor > value_start => {
                        cursor += 1;
                        break;
                    }
                    Some(_) => return false,
                }
            }
        }
    }
    true
}

/// Skips a quoted value whose content starts at `content_start` (just past the opening quote),
/// then any spaces and the `;` ending the parameter; returns where the next parameter starts,
/// or `None` if the value is unterminated or followed by anything else. As in `mime`, the first
/// content byte may itself be a `"` (so `""` is never a complete value).
fn skip_quoted_value(bytes: &[u8], content_start: usize) -> Option<usize> {
    let mut cursor = content_start;
    loop {
        match *bytes.get(cursor)? {
            b'"' if cursor > content_start => break,
            byte if byte > 31 && byte != 127 => cursor += 1,
            _ => return None,
        }
    }
    cursor += 1;
    loop {
        match bytes.get(cursor) {
            None => return Some(cursor),
            Some(b' ') => cursor += 1,
            Some(b';') => return Some(cursor + 1),
            Some(_) => return None,
        }
    }
}

/// `HeaderValue::to_str`'s alphabet: printable ASCII and horizontal tab.
fn is_visible_ascii(byte: u8) -> bool {
    (32..127).contains(&byte) || byte == b'\t'
}

/// RFC 7231 `tchar`.
fn is_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}
