//! Character classification and normalisation shared by documents and queries.
//!
//! A character is either part of a word (alphanumeric) or a separator. Separators are
//! *soft* (spaces, `-`, `:` …) or *hard* (`.`, `,`, `;`, `!`, `?`, brackets, `|`); a hard
//! separator puts words 8 positions apart instead of 1, as Meilisearch's tokenizer does.
//! Words are lowercased and simple Latin diacritics are folded (`é` → `e`, `ß` → `ss`).

/// What a character is to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CharClass {
    /// Part of a word.
    Word,
    /// A separator that keeps neighbouring words 1 position apart.
    SoftSeparator,
    /// A separator that puts neighbouring words 8 positions apart.
    HardSeparator,
}

/// Classifies one character of a document value or of a query.
pub(super) fn classify(character: char) -> CharClass {
    if character.is_alphanumeric() {
        CharClass::Word
    } else if matches!(
        character,
        '.' | ';' | ',' | '!' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '…' | '¿' | '¡'
    ) {
        CharClass::HardSeparator
    } else {
        CharClass::SoftSeparator
    }
}

/// Appends the normalised (lowercased, accent-folded) form of `character` to `out`.
pub(super) fn push_normalized(character: char, out: &mut String) {
    if character.is_ascii() {
        out.push(character.to_ascii_lowercase());
        return;
    }
    for lower in character.to_lowercase() {
        match fold_latin(lower) {
            Folded::One(folded) => out.push(folded),
            Folded::Two(first, second) => {
                out.push(first);
                out.push(second);
            }
        }
    }
}

/// Normalises a whole string (used for stop words, `disableOnWords` and sort values).
pub(super) fn normalize_word(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        push_normalized(character, &mut out);
    }
    out
}

enum Folded {
    One(char),
    Two(char, char),
}

fn fold_latin(lower: char) -> Folded {
    let folded = match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' | 'ŧ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'æ' => return Folded::Two('a', 'e'),
        'œ' => return Folded::Two('o', 'e'),
        'ß' => return Folded::Two('s', 's'),
        other => other,
    };
    Folded::One(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(
            normalize_word("Éléphant Straße ŒUVRE"),
            "elephant strasse oeuvre"
        );
    }

    #[test]
    fn classifies_separators() {
        assert_eq!(classify('a'), CharClass::Word);
        assert_eq!(classify('7'), CharClass::Word);
        assert_eq!(classify(' '), CharClass::SoftSeparator);
        assert_eq!(classify(':'), CharClass::SoftSeparator);
        assert_eq!(classify('.'), CharClass::HardSeparator);
        assert_eq!(classify(','), CharClass::HardSeparator);
    }
}
