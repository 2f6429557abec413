//! Everything that can make `miroir-ctl` fail, each as one operator-facing sentence that names
//! the endpoint when the network is involved. `exit` maps each to a stable exit code.

use std::io;
use std::path::PathBuf;

use tonic::Code;

use crate::credentials::CredentialsError;

/// `Result` of this crate.
pub type Result<T, E = CtlError> = std::result::Result<T, E>;

/// A failure of one `miroir-ctl` run.
#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    /// No admin key could be obtained.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The admin key holds characters a gRPC header cannot carry.
    #[error("the admin key cannot be sent: it must be printable ASCII without spaces around it")]
    KeyNotSendable,
    /// `--ca-file` cannot be read.
    #[error("cannot read the CA file {}: {source}", .path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// `--ca-file` was given for a plain-text endpoint.
    #[error("--ca-file (MIROIR_CA_FILE) needs an https:// endpoint, not {endpoint}")]
    CaFileWithoutTls {
        /// The endpoint.
        endpoint: String,
    },
    /// The endpoint or its TLS settings were refused by the gRPC library.
    #[error("cannot use the endpoint {endpoint}: {reason}")]
    InvalidEndpoint {
        /// The endpoint.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// No connection could be made.
    #[error("cannot reach {endpoint} ({reason}) within {seconds}s")]
    Unreachable {
        /// The endpoint.
        endpoint: String,
        /// The lowest-level cause, e.g. "connection refused".
        reason: String,
        /// `--timeout`.
        seconds: u64,
    },
    /// Connected, but the request got no answer within the timeout.
    #[error("{endpoint} did not answer within {seconds}s")]
    NoAnswer {
        /// The endpoint.
        endpoint: String,
        /// `--timeout`.
        seconds: u64,
    },
    /// Something answered at the endpoint, but not a gRPC server (e.g. the peer's HTTP port).
    #[error("{endpoint} is not an admin gRPC endpoint ({detail}); use the peer's server.admin_grpc_port (default 7900)")]
    NotAdminApi {
        /// The endpoint.
        endpoint: String,
        /// What came back instead.
        detail: String,
    },
    /// The peer answered with a gRPC error status.
    #[error("{}", describe_status(.endpoint, .status))]
    Rpc {
        /// The endpoint.
        endpoint: String,
        /// The status.
        status: tonic::Status,
    },
    /// A watched task finished without succeeding.
    #[error("task {uid} {status}{}", describe_task_error(.error_code, .error_message))]
    TaskUnsuccessful {
        /// Task uid.
        uid: u64,
        /// "failed" or "canceled".
        status: String,
        /// Meilisearch error code; empty when none.
        error_code: String,
        /// Meilisearch error message; empty when none.
        error_message: String,
    },
    /// A watch stream ended before the task reached a terminal state.
    #[error("{endpoint} ended the watch of task {uid} before it finished")]
    WatchEndedEarly {
        /// The endpoint.
        endpoint: String,
        /// Task uid.
        uid: u64,
    },
    /// Printing the result failed (e.g. a closed pipe).
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
}

/// A gRPC status as a sentence: who answered, how, and the server's message verbatim.
fn describe_status(endpoint: &str, status: &tonic::Status) -> String {
    let message = if status.message().is_empty() {
        status.code().description()
    } else {
        status.message()
    };
    match status.code() {
        Code::Unauthenticated | Code::PermissionDenied => {
            format!("the admin key was rejected by {endpoint}: {message}")
        }
        Code::Unavailable => format!("{endpoint} is unavailable: {message}"),
        Code::DeadlineExceeded => format!("{endpoint} ran out of time: {message}"),
        Code::Cancelled => format!("{endpoint} canceled the request: {message}"),
        Code::InvalidArgument
        | Code::NotFound
        | Code::AlreadyExists
        | Code::FailedPrecondition
        | Code::Unimplemented
        | Code::OutOfRange
        | Code::Aborted
        | Code::ResourceExhausted => format!("{endpoint} refused the request: {message}"),
        Code::Ok | Code::Unknown | Code::Internal | Code::DataLoss => {
            format!(
                "{endpoint} failed the request ({}): {message}",
                status.code()
            )
        }
    }
}

fn describe_task_error(code: &str, message: &str) -> String {
    match (code.is_empty(), message.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(" ({code})"),
        (true, false) => format!(": {message}"),
        (false, false) => format!(" ({code}): {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rpc(code: Code, message: &str) -> String {
        CtlError::Rpc {
            endpoint: "http://p:7900".to_owned(),
            status: tonic::Status::new(code, message),
        }
        .to_string()
    }

    #[test]
    fn refusals_carry_the_server_message_verbatim() {
        let message = "removing peer 2 would leave 1 healthy voter of 2: no quorum";
        assert_eq!(
            rpc(Code::FailedPrecondition, message),
            format!("http://p:7900 refused the request: {message}")
        );
    }

    #[test]
    fn a_rejected_key_says_so_and_names_the_endpoint() {
        assert_eq!(
            rpc(Code::PermissionDenied, "invalid admin key"),
            "the admin key was rejected by http://p:7900: invalid admin key"
        );
    }

    #[test]
    fn an_empty_server_message_falls_back_to_the_code() {
        let sentence = rpc(Code::Internal, "");
        assert!(
            sentence.starts_with("http://p:7900 failed the request"),
            "{sentence}"
        );
        assert!(sentence.len() > "http://p:7900 failed the request".len() + 5);
    }

    #[test]
    fn unreachable_names_endpoint_reason_and_timeout() {
        let error = CtlError::Unreachable {
            endpoint: "http://127.0.0.1:1".to_owned(),
            reason: "connection refused".to_owned(),
            seconds: 10,
        };
        assert_eq!(
            error.to_string(),
            "cannot reach http://127.0.0.1:1 (connection refused) within 10s"
        );
    }

    #[test]
    fn unsuccessful_tasks_show_the_meilisearch_error() {
        let error = CtlError::TaskUnsuccessful {
            uid: 7,
            status: "failed".to_owned(),
            error_code: "index_not_found".to_owned(),
            error_message: "Index `x` not found.".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "task 7 failed (index_not_found): Index `x` not found."
        );
        let canceled = CtlError::TaskUnsuccessful {
            uid: 8,
            status: "canceled".to_owned(),
            error_code: String::new(),
            error_message: String::new(),
        };
        assert_eq!(canceled.to_string(), "task 8 canceled");
    }
}
