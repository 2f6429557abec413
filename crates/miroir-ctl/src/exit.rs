//! The exit codes scripts rely on, and the mapping from every failure to one of them.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success |
//! | 1 | the cluster refused the request or the operation failed |
//! | 2 | usage error (clap's own, a bad `--ca-file`) |
//! | 3 | authentication: no key, malformed credentials, key rejected |
//! | 4 | cannot reach the peer: connect failure, UNAVAILABLE, timeout |

use tonic::Code;

use crate::error::CtlError;

/// An exit code of `miroir-ctl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// The command did what was asked.
    Success = 0,
    /// The cluster refused the request, or the operation (a watched task) failed.
    Refused = 1,
    /// The command line is wrong.
    Usage = 2,
    /// No usable admin key, or the peer rejected it.
    Authentication = 3,
    /// The peer cannot be reached or did not answer in time.
    Unreachable = 4,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The exit code of `error`.
pub fn exit_for(error: &CtlError) -> Exit {
    match error {
        CtlError::Credentials(_) | CtlError::KeyNotSendable => Exit::Authentication,
        CtlError::CaFile { .. }
        | CtlError::CaFileWithoutTls { .. }
        | CtlError::InvalidEndpoint { .. } => Exit::Usage,
        CtlError::Unreachable { .. } | CtlError::NoAnswer { .. } | CtlError::NotAdminApi { .. } => {
            Exit::Unreachable
        }
        CtlError::Rpc { status, .. } => exit_for_status(status.code()),
        CtlError::TaskUnsuccessful { .. }
        | CtlError::WatchEndedEarly { .. }
        | CtlError::Output(_) => Exit::Refused,
    }
}

/// The exit code of a gRPC status code.
pub fn exit_for_status(code: Code) -> Exit {
    match code {
        Code::Ok => Exit::Success,
        Code::Unauthenticated | Code::PermissionDenied => Exit::Authentication,
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => Exit::Unreachable,
        Code::InvalidArgument
        | Code::NotFound
        | Code::AlreadyExists
        | Code::FailedPrecondition
        | Code::Unimplemented
        | Code::OutOfRange
        | Code::Aborted
        | Code::ResourceExhausted
        | Code::Internal
        | Code::Unknown
        | Code::DataLoss => Exit::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsError;

    #[test]
    fn status_codes_map_to_the_documented_exit_codes() {
        let expected = [
            (Code::FailedPrecondition, 1),
            (Code::NotFound, 1),
            (Code::InvalidArgument, 1),
            (Code::Unimplemented, 1),
            (Code::AlreadyExists, 1),
            (Code::Internal, 1),
            (Code::Unauthenticated, 3),
            (Code::PermissionDenied, 3),
            (Code::Unavailable, 4),
            (Code::DeadlineExceeded, 4),
        ];
        for (code, exit) in expected {
            assert_eq!(exit_for_status(code).code(), exit, "{code:?}");
        }
    }

    #[test]
    fn local_failures_map_to_the_documented_exit_codes() {
        let missing = CtlError::Credentials(CredentialsError::Missing {
            credentials_file: None,
        });
        assert_eq!(exit_for(&missing), Exit::Authentication);
        let malformed = CtlError::Credentials(CredentialsError::Malformed {
            path: "/h/.config/miroir/credentials".into(),
            reason: "expected `=`".to_owned(),
        });
        assert_eq!(exit_for(&malformed).code(), 3);
        let unreachable = CtlError::Unreachable {
            endpoint: "http://x:1".to_owned(),
            reason: "connection refused".to_owned(),
            seconds: 2,
        };
        assert_eq!(exit_for(&unreachable).code(), 4);
        let no_answer = CtlError::NoAnswer {
            endpoint: "http://x:1".to_owned(),
            seconds: 2,
        };
        assert_eq!(exit_for(&no_answer).code(), 4);
        let failed_task = CtlError::TaskUnsuccessful {
            uid: 1,
            status: "failed".to_owned(),
            error_code: String::new(),
            error_message: String::new(),
        };
        assert_eq!(exit_for(&failed_task).code(), 1);
        let wrong_port = CtlError::NotAdminApi {
            endpoint: "http://x:7700".to_owned(),
            detail: "HTTP 404".to_owned(),
        };
        assert_eq!(exit_for(&wrong_port).code(), 4);
        let ca = CtlError::CaFileWithoutTls {
            endpoint: "http://x:1".to_owned(),
        };
        assert_eq!(exit_for(&ca).code(), 2);
    }

    #[test]
    fn rpc_errors_use_their_status_code() {
        let denied = CtlError::Rpc {
            endpoint: "http://x:1".to_owned(),
            status: tonic::Status::permission_denied("wrong key"),
        };
        assert_eq!(exit_for(&denied), Exit::Authentication);
        let refused = CtlError::Rpc {
            endpoint: "http://x:1".to_owned(),
            status: tonic::Status::failed_precondition("quorum"),
        };
        assert_eq!(exit_for(&refused), Exit::Refused);
    }
}
