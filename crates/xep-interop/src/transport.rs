//! The byte pipe under a stream: TCP, upgraded in place to TLS by
//! STARTTLS, with every read bounded by a deadline.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ServerConnection, StreamOwned};
use sha2::{Digest, Sha256};
use xep_sasl::ChannelBindingType;

/// A TCP connection, in the clear or TLS.
pub enum Transport {
    /// Before STARTTLS.
    Plain(TcpStream),
    /// After it.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
    /// After it, on a connection the driver accepted (the driver as the
    /// TLS server: a server's s2s stream to the driver's domain).
    TlsServer(Box<StreamOwned<ServerConnection, TcpStream>>),
    /// After a failed upgrade: nothing left to use.
    Gone,
}

/// What a read gave.
pub enum Got {
    /// Bytes.
    Data(usize),
    /// The peer closed the connection.
    Eof,
    /// The deadline passed first.
    TimedOut,
}

impl Transport {
    /// Connects to `addr` within `timeout`.
    pub fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Transport> {
        let s = TcpStream::connect_timeout(&addr, timeout)?;
        s.set_nodelay(true)?;
        Ok(Transport::Plain(s))
    }

    fn tcp(&self) -> io::Result<&TcpStream> {
        match self {
            Transport::Plain(s) => Ok(s),
            Transport::Tls(t) => Ok(&t.sock),
            Transport::TlsServer(t) => Ok(&t.sock),
            Transport::Gone => Err(io::Error::from(io::ErrorKind::NotConnected)),
        }
    }

    /// Writes all of `bytes`.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Transport::Plain(s) => s.write_all(bytes),
            Transport::Tls(t) => {
                t.write_all(bytes)?;
                t.flush()
            }
            Transport::TlsServer(t) => {
                t.write_all(bytes)?;
                t.flush()
            }
            Transport::Gone => Err(io::Error::from(io::ErrorKind::NotConnected)),
        }
    }

    /// Reads into `buf`, waiting until `deadline` at most.
    pub fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<Got> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Got::TimedOut);
        }
        self.tcp()?
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        let r = match self {
            Transport::Plain(s) => s.read(buf),
            Transport::Tls(t) => t.read(buf),
            Transport::TlsServer(t) => t.read(buf),
            Transport::Gone => return Err(io::Error::from(io::ErrorKind::NotConnected)),
        };
        match r {
            Ok(0) => Ok(Got::Eof),
            Ok(n) => Ok(Got::Data(n)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(Got::TimedOut)
            }
            // rustls reports a TCP close without close_notify this way.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Got::Eof),
            Err(e) => Err(e),
        }
    }

    /// Cuts the connection at once, as a network failure would: no close
    /// of the stream, no TLS close_notify.
    pub fn cut(&self) {
        if let Ok(s) = self.tcp() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// STARTTLS's upgrade: the TLS handshake as a client of `name`, then
    /// the channel bindings the connection can produce (RFC 9266
    /// tls-exporter on TLS 1.3, RFC 5929 tls-server-end-point always).
    pub fn upgrade(
        &mut self,
        config: Arc<rustls::ClientConfig>,
        name: &str,
        deadline: Instant,
    ) -> Result<Vec<(ChannelBindingType, Vec<u8>)>, TlsError> {
        let Transport::Plain(mut sock) = std::mem::replace(self, Transport::Gone) else {
            return Err(TlsError::AlreadyTls);
        };
        let server = ServerName::try_from(name.to_owned()).map_err(|_| TlsError::Name)?;
        let mut conn = ClientConnection::new(config, server).map_err(TlsError::Tls)?;
        handshake(&mut conn, &mut sock, deadline)?;
        let bindings = channel_bindings(&conn);
        *self = Transport::Tls(Box::new(StreamOwned::new(conn, sock)));
        Ok(bindings)
    }

    /// STARTTLS's upgrade on a connection the driver accepted: the TLS
    /// handshake as the server, with `config`'s certificate.
    pub fn accept_tls(
        &mut self,
        config: Arc<rustls::ServerConfig>,
        deadline: Instant,
    ) -> Result<(), TlsError> {
        let Transport::Plain(mut sock) = std::mem::replace(self, Transport::Gone) else {
            return Err(TlsError::AlreadyTls);
        };
        let mut conn = ServerConnection::new(config).map_err(TlsError::Tls)?;
        handshake(&mut conn, &mut sock, deadline)?;
        *self = Transport::TlsServer(Box::new(StreamOwned::new(conn, sock)));
        Ok(())
    }

    /// The TLS protocol version, if TLS.
    pub fn tls_version(&self) -> Option<rustls::ProtocolVersion> {
        match self {
            Transport::Tls(t) => t.conn.protocol_version(),
            Transport::TlsServer(t) => t.conn.protocol_version(),
            _ => None,
        }
    }
}

/// The TLS handshake on `sock`, either side, within `deadline`.
fn handshake<D: rustls::SideData>(
    conn: &mut rustls::ConnectionCommon<D>,
    sock: &mut TcpStream,
    deadline: Instant,
) -> Result<(), TlsError> {
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TlsError::TimedOut);
        }
        sock.set_read_timeout(Some(left)).map_err(TlsError::Io)?;
        conn.complete_io(sock).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => TlsError::TimedOut,
            _ => TlsError::Io(e),
        })?;
    }
    Ok(())
}

/// The channel bindings of an established TLS connection.
fn channel_bindings(conn: &ClientConnection) -> Vec<(ChannelBindingType, Vec<u8>)> {
    let mut out = Vec::new();
    if conn.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3) {
        // RFC 9266 §2: label EXPORTER-Channel-Binding, no context, 32 bytes.
        if let Ok(b) = conn.export_keying_material(vec![0u8; 32], b"EXPORTER-Channel-Binding", None)
        {
            out.push((ChannelBindingType::TlsExporter, b));
        }
    }
    if let Some(cert) = conn.peer_certificates().and_then(|c| c.first()) {
        // RFC 5929 §4.1: SHA-256 for certificates signed with SHA-1 or
        // SHA-256, which the suite's (ECDSA P-256 with SHA-256) are.
        out.push((
            ChannelBindingType::TlsServerEndPoint,
            Sha256::digest(cert.as_ref()).to_vec(),
        ));
    }
    out
}

/// Why STARTTLS's upgrade failed.
#[derive(Debug)]
pub enum TlsError {
    /// The transport was TLS already.
    AlreadyTls,
    /// The server name is not a DNS name.
    Name,
    /// The handshake failed (certificate refused, alert...).
    Tls(rustls::Error),
    /// The socket failed.
    Io(io::Error),
    /// The handshake took too long.
    TimedOut,
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsError::AlreadyTls => f.write_str("the transport is TLS already"),
            TlsError::Name => f.write_str("the server name is not a DNS name"),
            TlsError::Tls(e) => write!(f, "TLS handshake: {e}"),
            TlsError::Io(e) => write!(f, "TLS handshake: {e}"),
            TlsError::TimedOut => f.write_str("TLS handshake timed out"),
        }
    }
}

impl std::error::Error for TlsError {}
