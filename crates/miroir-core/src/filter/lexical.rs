//! Character classes, keywords and escape sequences of the filter language.
//!
//! Two notions of whitespace coexist, as in Meilisearch: the separators around keywords are
//! ASCII (`' '`, `\t`, `\r`, `\n`), while leading whitespace before a value is any Unicode
//! whitespace.

/// The words that cannot be used unquoted as an attribute or a value. Keywords are
/// case-sensitive: `and` is an ordinary value.
const KEYWORDS: [&str; 14] = [
    "AND",
    "OR",
    "IN",
    "NOT",
    "TO",
    "EXISTS",
    "IS",
    "NULL",
    "EMPTY",
    "CONTAINS",
    "STARTS",
    "WITH",
    "_geoRadius",
    "_geoBoundingBox",
];

/// Whether `word` is a reserved keyword.
pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Characters an unquoted value is made of.
pub(crate) fn is_value_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Characters that end the fragment quoted in "expected a value" errors.
pub(crate) fn is_syntax_char(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '=' | '<' | '>' | '!')
}

/// The separator whitespace around keywords and operators.
pub(crate) fn is_separator_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Why an escape sequence could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnescapeError {
    /// The text ends inside an escape sequence.
    Incomplete,
    /// The digits of `\x..`, `\u....` or `\u{..}` are not a number.
    InvalidNumber,
    /// An unknown escape letter, or a code point that is not a character.
    InvalidChar,
}

/// Decodes the escape sequences of a value: `\b \f \n \r \t \v \' \" \\ \/`, `\xHH` (a byte
/// taken as a Latin-1 char), `\uHHHH`, `\u{H..}` and octal `\NNN` (up to 3 digits when the first
/// is 0-3, up to 2 otherwise).
pub(crate) fn unescape(text: &str) -> Result<String, UnescapeError> {
    let mut chars = text.chars().peekable();
    let mut out = String::with_capacity(text.len());
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let marker = chars.next().ok_or(UnescapeError::Incomplete)?;
        let decoded = match marker {
            'b' => '\u{0008}',
            'f' => '\u{000c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{000b}',
            '\'' | '"' | '\\' | '/' => marker,
            'u' => {
                let first = chars.next().ok_or(UnescapeError::Incomplete)?;
                let mut digits = String::new();
                if first == '{' {
                    for digit in chars.by_ref() {
                        if digit == '}' {
                            break;
                        }
                        digits.push(digit);
                    }
                } else {
                    digits.push(first);
                    for _ in 0..3 {
                        digits.push(chars.next().ok_or(UnescapeError::Incomplete)?);
                    }
                }
                let code =
                    u32::from_str_radix(&digits, 16).map_err(|_| UnescapeError::InvalidNumber)?;
                char::from_u32(code).ok_or(UnescapeError::InvalidChar)?
            }
            'x' => {
                let mut digits = String::new();
                for _ in 0..2 {
                    digits.push(chars.next().ok_or(UnescapeError::Incomplete)?);
                }
                char::from(
                    u8::from_str_radix(&digits, 16).map_err(|_| UnescapeError::InvalidNumber)?,
                )
            }
            '0'..='7' => {
                let extra_digits = if marker <= '3' { 2 } else { 1 };
                let mut digits = String::from(marker);
                for _ in 0..extra_digits {
                    match chars.next_if(|next| next.is_digit(8)) {
                        Some(digit) => digits.push(digit),
                        None => break,
                    }
                }
                char::from(
                    u8::from_str_radix(&digits, 8).map_err(|_| UnescapeError::InvalidNumber)?,
                )
            }
            _ => return Err(UnescapeError::InvalidChar),
        };
        out.push(decoded);
    }
    Ok(out)
}
