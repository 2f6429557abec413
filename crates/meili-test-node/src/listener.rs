//! The TCP listener with the "down" fault: while the node is down, accepted connections are
//! closed at once, and connections opened before fail on their next read, so clients see
//! refused or reset connections rather than answers.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::faults::FaultController;

/// A TCP listener that honours [`FaultController::is_down`].
#[derive(Debug)]
pub struct FaultAwareListener {
    inner: TcpListener,
    faults: Arc<FaultController>,
}

impl FaultAwareListener {
    /// Wraps a bound listener.
    pub fn new(inner: TcpListener, faults: Arc<FaultController>) -> Self {
        Self { inner, faults }
    }
}

impl axum::serve::Listener for FaultAwareListener {
    type Io = FaultAwareStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, address) = axum::serve::Listener::accept(&mut self.inner).await;
            if self.faults.is_down() {
                drop(stream);
                continue;
            }
            // Responses are written whole: never hold their last segment back for an ACK
            // (Nagle) — a client that delays its ACKs would wait ~40 ms per request. Failing
            // to set the option only costs latency.
            let _ = stream.set_nodelay(true);
            return (
                FaultAwareStream {
                    inner: stream,
                    faults: self.faults.clone(),
                },
                address,
            );
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection whose reads fail while the node is down.
#[derive(Debug)]
pub struct FaultAwareStream {
    inner: TcpStream,
    faults: Arc<FaultController>,
}

impl AsyncRead for FaultAwareStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.faults.is_down() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "test node is down",
            )));
        }
        Pin::new(&mut self.inner).poll_read(context, buffer)
    }
}

impl AsyncWrite for FaultAwareStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(context, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(context)
    }
}
