//! The connection to a peer's admin API: one eagerly connected channel (TLS when the endpoint
//! is `https://`), an interceptor adding `authorization: Bearer <key>` to every call, and the
//! per-request deadline.
//!
//! ```text
//! AdminClient ── unary(call, msg) ──► timeout(--timeout, call(client, request)) ──► T
//!             └─ stream(call, msg) ─► timeout(--timeout, open) ──► Streaming<T>
//! ```

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use miroir_admin_proto::v1::admin_service_client::AdminServiceClient;
use miroir_admin_proto::AUTHORIZATION_METADATA;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::error::{CtlError, Result};

/// How tonic starts the status it makes up when an answer is plain HTTP, not gRPC.
const NOT_GRPC_PREFIX: &str = "grpc-status header missing";

/// The generated client over an authenticated channel.
pub type Client = AdminServiceClient<InterceptedService<Channel, BearerKey>>;

/// Adds the admin key to every request.
#[derive(Clone)]
pub struct BearerKey {
    header: MetadataValue<Ascii>,
}

impl BearerKey {
    /// `authorization: Bearer <key>`; fails when `key` cannot be a header value.
    pub fn new(key: &str) -> Result<BearerKey> {
        if key.trim() != key {
            return Err(CtlError::KeyNotSendable);
        }
        let mut header: MetadataValue<Ascii> = format!("Bearer {key}")
            .parse()
            .map_err(|_| CtlError::KeyNotSendable)?;
        header.set_sensitive(true);
        Ok(BearerKey { header })
    }
}

impl Interceptor for BearerKey {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        request
            .metadata_mut()
            .insert(AUTHORIZATION_METADATA, self.header.clone());
        Ok(request)
    }
}

/// A connected admin client with the endpoint and deadline it reports errors with.
#[derive(Clone)]
pub struct AdminClient {
    client: Client,
    endpoint: String,
    timeout: Duration,
}

/// How to reach the peer.
#[derive(Debug, Clone)]
pub struct ConnectOptions<'a> {
    /// `http://host:port` or `https://host:port`.
    pub endpoint: &'a str,
    /// CA certificates (PEM) for `https://`; `None` = the system's roots.
    pub ca_file: Option<&'a Path>,
    /// Connect timeout and per-request deadline.
    pub timeout: Duration,
}

impl AdminClient {
    /// Connects to `options.endpoint` (failing within the timeout if nobody answers).
    pub async fn connect(options: ConnectOptions<'_>, key: BearerKey) -> Result<AdminClient> {
        let endpoint_text = options.endpoint.to_owned();
        let invalid = |error: tonic::transport::Error| CtlError::InvalidEndpoint {
            endpoint: endpoint_text.clone(),
            reason: deepest_cause(&error),
        };
        let mut endpoint = Endpoint::from_shared(endpoint_text.clone())
            .map_err(invalid)?
            .connect_timeout(options.timeout);
        if let Some(tls) = tls_config(options.endpoint, options.ca_file)? {
            endpoint = endpoint.tls_config(tls).map_err(invalid)?;
        }
        let channel = endpoint
            .connect()
            .await
            .map_err(|error| CtlError::Unreachable {
                endpoint: endpoint_text.clone(),
                reason: deepest_cause(&error),
                seconds: options.timeout.as_secs(),
            })?;
        Ok(AdminClient {
            client: AdminServiceClient::with_interceptor(channel, key),
            endpoint: endpoint_text,
            timeout: options.timeout,
        })
    }

    /// The endpoint, for messages.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// One unary call, `call(client, request)`, under the deadline.
    pub async fn unary<Req, T, F, Fut>(&self, call: F, message: Req) -> Result<T>
    where
        F: FnOnce(Client, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    {
        let mut request = tonic::Request::new(message);
        request.set_timeout(self.timeout);
        let answer = tokio::time::timeout(self.timeout, call(self.client.clone(), request))
            .await
            .map_err(|_| self.no_answer())?;
        answer
            .map(tonic::Response::into_inner)
            .map_err(|status| self.rpc_error(status))
    }

    /// Opens a server stream, `call(client, request)`, with the deadline on opening only.
    pub async fn stream<Req, T, F, Fut>(&self, call: F, message: Req) -> Result<tonic::Streaming<T>>
    where
        F: FnOnce(Client, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<tonic::Streaming<T>>, tonic::Status>>,
    {
        let request = tonic::Request::new(message);
        let answer = tokio::time::timeout(self.timeout, call(self.client.clone(), request))
            .await
            .map_err(|_| self.no_answer())?;
        answer
            .map(tonic::Response::into_inner)
            .map_err(|status| self.rpc_error(status))
    }

    /// The next message of `stream`; `None` once it ended.
    pub async fn next<T>(&self, stream: &mut tonic::Streaming<T>) -> Result<Option<T>> {
        stream
            .message()
            .await
            .map_err(|status| self.rpc_error(status))
    }

    fn rpc_error(&self, status: tonic::Status) -> CtlError {
        status_error(&self.endpoint, status)
    }

    fn no_answer(&self) -> CtlError {
        CtlError::NoAnswer {
            endpoint: self.endpoint.clone(),
            seconds: self.timeout.as_secs(),
        }
    }
}

/// `status` from `endpoint` as an error: a made-up status for a plain-HTTP answer means the
/// endpoint is not the admin API at all.
fn status_error(endpoint: &str, status: tonic::Status) -> CtlError {
    if status.message().starts_with(NOT_GRPC_PREFIX) {
        return CtlError::NotAdminApi {
            endpoint: endpoint.to_owned(),
            detail: status.message().to_owned(),
        };
    }
    CtlError::Rpc {
        endpoint: endpoint.to_owned(),
        status,
    }
}

/// The TLS settings of `endpoint`: `None` for `http://`.
fn tls_config(endpoint: &str, ca_file: Option<&Path>) -> Result<Option<ClientTlsConfig>> {
    if !endpoint.starts_with("https://") {
        return match ca_file {
            Some(_) => Err(CtlError::CaFileWithoutTls {
                endpoint: endpoint.to_owned(),
            }),
            None => Ok(None),
        };
    }
    let tls = ClientTlsConfig::new();
    Ok(Some(match ca_file {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|source| CtlError::CaFile {
                path: path.to_owned(),
                source,
            })?;
            tls.ca_certificate(Certificate::from_pem(pem))
        }
        None => tls.with_native_roots(),
    }))
}

/// The innermost cause of `error` in a few lowercase words, e.g. "connection refused": the
/// deepest I/O error of the chain, else the deepest error.
fn deepest_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    let mut innermost_io = None;
    let mut current = Some(error);
    while let Some(cause) = current {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            innermost_io = Some(io);
        }
        innermost = cause;
        current = cause.source();
    }
    match innermost_io {
        Some(io) => describe_io(io),
        None => innermost.to_string(),
    }
}

fn describe_io(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        ErrorKind::ConnectionReset => "connection reset".to_owned(),
        ErrorKind::TimedOut => "timed out".to_owned(),
        ErrorKind::NotFound => "host not found".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_goes_out_as_a_bearer_header() {
        let mut key = BearerKey::new("secret-key").unwrap();
        let request = key.call(tonic::Request::new(())).unwrap();
        let header = request.metadata().get(AUTHORIZATION_METADATA).unwrap();
        assert_eq!(header.to_str().unwrap(), "Bearer secret-key");
    }

    #[test]
    fn unsendable_keys_are_refused_before_any_io() {
        assert!(matches!(
            BearerKey::new("line\nbreak"),
            Err(CtlError::KeyNotSendable)
        ));
        assert!(matches!(
            BearerKey::new(" padded "),
            Err(CtlError::KeyNotSendable)
        ));
    }

    #[test]
    fn a_plain_http_answer_means_a_wrong_port() {
        let made_up = tonic::Status::unimplemented(
            "grpc-status header missing, mapped from HTTP status code 404",
        );
        let error = status_error("http://p:7700", made_up);
        assert!(matches!(error, CtlError::NotAdminApi { .. }), "{error}");
        assert!(error.to_string().contains("admin_grpc_port"), "{error}");
        let real = tonic::Status::unimplemented("node changes are not available yet");
        assert!(matches!(
            status_error("http://p:7900", real),
            CtlError::Rpc { .. }
        ));
    }

    #[test]
    fn a_ca_file_needs_https() {
        let error = tls_config("http://a:1", Some(Path::new("/ca.pem"))).unwrap_err();
        assert!(matches!(error, CtlError::CaFileWithoutTls { .. }));
        assert!(tls_config("http://a:1", None).unwrap().is_none());
    }

    #[test]
    fn an_unreadable_ca_file_names_it() {
        let missing = Path::new("/nonexistent/miroir-ca.pem");
        let error = tls_config("https://a:1", Some(missing)).unwrap_err();
        assert!(
            error.to_string().contains("/nonexistent/miroir-ca.pem"),
            "{error}"
        );
    }

    #[test]
    fn the_innermost_io_error_names_the_cause() {
        #[derive(Debug, thiserror::Error)]
        #[error("tcp connect error")]
        struct Connect(#[source] std::io::Error);
        let refused = Connect(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(deepest_cause(&refused), "connection refused");
        let plain = std::fmt::Error;
        assert_eq!(deepest_cause(&plain), plain.to_string());
    }
}
