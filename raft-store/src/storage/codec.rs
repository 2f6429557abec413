//! Versioned value encoding for everything the store writes to RocksDB.
//!
//! A value is one format-version byte followed by the bincode (fixed-width integers, no
//! trailing bytes) of the value. Decoding checks the version first, so a value written by a
//! future layout, or a damaged one, is reported as a [`CodecError`] instead of being misread.

use bincode::Options;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Format version written in front of every value.
pub(crate) const FORMAT_VERSION: u8 = 1;

/// Why a stored value could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The value has no bytes at all, not even the version byte.
    #[error("empty value (no format version byte)")]
    Empty,
    /// The value was written in a format version this build does not know.
    #[error("unknown format version {found} (this build reads version {supported})")]
    UnknownVersion {
        /// Version byte found in the value.
        found: u8,
        /// The only version this build reads.
        supported: u8,
    },
    /// The bytes after the version byte are not a valid encoding of the expected type.
    #[error("malformed value: {0}")]
    Malformed(#[source] bincode::Error),
    /// The value could not be serialized.
    #[error("cannot encode value: {0}")]
    Encode(#[source] bincode::Error),
}

/// The bincode configuration of stored values: fixed-width integers, trailing bytes rejected.
fn bincode_options() -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .reject_trailing_bytes()
}

/// Encodes `value` as `[FORMAT_VERSION] ++ bincode(value)`.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CodecError> {
    let body = bincode_options()
        .serialize(value)
        .map_err(CodecError::Encode)?;
    let mut bytes = Vec::with_capacity(body.len() + 1);
    bytes.push(FORMAT_VERSION);
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// Decodes a value written by [`encode`], checking its format version.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version != FORMAT_VERSION {
        return Err(CodecError::UnknownVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    bincode_options()
        .deserialize(body)
        .map_err(CodecError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_pins_the_layout() {
        let bytes = encode(&(7u64, Some(3u32))).unwrap();
        // Frozen bytes: version 1, u64 LE, Option tag 1, u32 LE. Changing this breaks stored data.
        assert_eq!(bytes, [1, 7, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0]);
        assert_eq!(decode::<(u64, Option<u32>)>(&bytes).unwrap(), (7, Some(3)));
    }

    #[test]
    fn rejects_empty_unknown_version_truncated_and_trailing_bytes() {
        assert!(matches!(decode::<u64>(&[]), Err(CodecError::Empty)));
        assert!(matches!(
            decode::<u64>(&[2, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(CodecError::UnknownVersion {
                found: 2,
                supported: 1
            })
        ));
        assert!(matches!(
            decode::<u64>(&[1, 0, 0]),
            Err(CodecError::Malformed(_))
        ));
        let mut trailing = encode(&5u64).unwrap();
        trailing.push(0);
        assert!(matches!(
            decode::<u64>(&trailing),
            Err(CodecError::Malformed(_))
        ));
    }
}
