//! The one bincode configuration used for log entries and snapshots: bincode 1.3's
//! default layout (fixed-width little-endian integers, `u64` lengths, `u32` enum tags),
//! refusing trailing bytes on decode.

use bincode::Options;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A log entry or snapshot that could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// bincode refused to encode the value.
    #[error("cannot encode: {0}")]
    Encode(#[source] bincode::Error),
    /// The bytes are not a valid encoding.
    #[error("cannot decode: {0}")]
    Decode(#[source] bincode::Error),
    /// A snapshot shorter than its version header.
    #[error("snapshot is {0} bytes, shorter than its version header")]
    Truncated(usize),
    /// A snapshot format this build does not know.
    #[error("snapshot format version {0} is not supported")]
    UnsupportedVersion(u32),
}

fn options() -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .reject_trailing_bytes()
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    options().serialize(value).map_err(CodecError::Encode)
}

pub(crate) fn encode_into<T: Serialize>(
    writer: impl std::io::Write,
    value: &T,
) -> Result<(), CodecError> {
    options()
        .serialize_into(writer, value)
        .map_err(CodecError::Encode)
}

pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    options().deserialize(bytes).map_err(CodecError::Decode)
}
