//! Snapshots: a 4-byte little-endian format version, then the bincode of
//! [`MetadataState`]; and a content digest peers compare to detect divergence. Older formats
//! still decode (format 1: `snapshot_v1`).
//!
//! The digest is 64-bit FNV-1a over exactly the snapshot bytes, computed while streaming
//! the encoding (no second copy of the state in memory).

use std::hash::Hasher;

use crate::codec::{self, CodecError};
use crate::snapshot_v1::MetadataStateV1;
use crate::state::MetadataState;

/// Snapshot format written by this build. See `FORMAT.md`.
pub const SNAPSHOT_FORMAT_VERSION: u32 = 2;

/// Format 1: task records without `canceled_by`.
const SNAPSHOT_FORMAT_V1: u32 = 1;

/// Why a snapshot could not be written or read.
pub type SnapshotError = CodecError;

const HEADER_LEN: usize = 4;

impl MetadataState {
    /// The versioned snapshot bytes.
    pub fn to_snapshot_bytes(&self) -> Result<Vec<u8>, SnapshotError> {
        let mut bytes = SNAPSHOT_FORMAT_VERSION.to_le_bytes().to_vec();
        codec::encode_into(&mut bytes, self)?;
        Ok(bytes)
    }

    /// Restores a state from [`MetadataState::to_snapshot_bytes`] output.
    pub fn from_snapshot_bytes(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let (header, body) = bytes
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(CodecError::Truncated(bytes.len()))?;
        match u32::from_le_bytes(*header) {
            SNAPSHOT_FORMAT_VERSION => codec::decode(body),
            SNAPSHOT_FORMAT_V1 => codec::decode::<MetadataStateV1>(body).map(MetadataState::from),
            unknown => Err(CodecError::UnsupportedVersion(unknown)),
        }
    }

    /// A stable digest of the whole state: equal states give equal digests on every peer
    /// and build (it hashes the frozen snapshot encoding).
    pub fn digest(&self) -> u64 {
        let mut hasher = Fnv1a64::default();
        hasher.write(&SNAPSHOT_FORMAT_VERSION.to_le_bytes());
        let encoded = codec::encode_into(HashWriter(&mut hasher), self);
        // Every type in the state has a known length and a serde-supported shape, so
        // encoding cannot fail; a failure would be a programming error caught in tests.
        debug_assert!(encoded.is_ok(), "metadata state must always encode");
        hasher.finish()
    }
}

/// 64-bit FNV-1a: tiny, dependency-free and fixed forever (unlike `DefaultHasher`).
struct Fnv1a64(u64);

impl Default for Fnv1a64 {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a64 {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

struct HashWriter<'a>(&'a mut Fnv1a64);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
