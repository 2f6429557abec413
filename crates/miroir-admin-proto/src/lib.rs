//! Generated client and server types of Miroir's operator API
//! (`proto/miroir/admin/v1/admin.proto`), shared by the peer (`miroir`) and `miroir-ctl`.

#![allow(missing_docs, clippy::derive_partial_eq_without_eq)]

/// `miroir.admin.v1`.
pub mod v1 {
    tonic::include_proto!("miroir.admin.v1");
}

/// gRPC metadata key carrying the admin key (`Bearer <key>`).
pub const AUTHORIZATION_METADATA: &str = "authorization";
