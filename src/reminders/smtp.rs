//! SMTP connections opened here, with `TCP_NODELAY`: lettre writes a message's body and its
//! closing dot in two writes, and on a connection with Nagle's algorithm on, each message
//! then waits for the server's delayed ACK (about 40 ms). lettre accepts a stream opened
//! elsewhere (`AsyncSmtpConnection::connect_with_transport`); this keeps a few of them open
//! and reuses them. Plain SMTP and STARTTLS (`smtp://…?tls=required|opportunistic`) go this
//! way; implicit TLS (`smtps://`) stays on lettre's own pooled transport.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use lettre::{
    Message,
    transport::smtp::{
        authentication::{Credentials, Mechanism},
        client::{AsyncSmtpConnection, TlsParameters},
        extension::ClientId,
    },
};

use super::mail::SendError;

/// How a connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tls {
    None,
    /// STARTTLS, or no mail.
    Required,
    /// STARTTLS when the server offers it.
    Opportunistic,
}

/// Connections kept open between messages.
const IDLE: usize = 10;

/// A connection idle for longer is checked (NOOP) before it is used again.
const FRESH: Duration = Duration::from_secs(5);

pub struct Smtp {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the credentials.
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Smtp {
    /// The connections `url` asks for, or `None` when it is for implicit TLS (`smtps://`) or
    /// not understood here (lettre's transport then handles it, or refuses it).
    pub fn from_url(url: &str, timeout: Duration) -> Option<Self> {
        let parsed = url::Url::parse(url).ok()?;
        if parsed.scheme() != "smtp" {
            return None;
        }
        let tls = match parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned())
            .as_deref()
        {
            None => Tls::None,
            Some("required") => Tls::Required,
            Some("opportunistic") => Tls::Opportunistic,
            Some(_) => return None,
        };
        let host = parsed.host_str()?.to_owned();
        let port = parsed
            .port()
            .unwrap_or(if tls == Tls::None { 25 } else { 587 });
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        };
        let credentials = match parsed.password() {
            Some(password) => Some(Credentials::new(
                decode(parsed.username())?,
                decode(password)?,
            )),
            None => None,
        };
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Some(Self {
            host,
            port,
            tls,
            credentials,
            hello,
            timeout,
            idle: Mutex::new(Vec::new()),
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let io = |e: std::io::Error| {
            SendError::Transient(format!("could not connect to the SMTP server: {e}"))
        };
        let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(io)?;
        stream.set_nodelay(true).map_err(io)?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
            .await
            .map_err(classify)?;
        self.secure(&mut conn).await.map_err(classify)?;
        Ok(conn)
    }

    async fn secure(
        &self,
        conn: &mut AsyncSmtpConnection,
    ) -> Result<(), lettre::transport::smtp::Error> {
        match self.tls {
            Tls::None => {}
            Tls::Required => {
                conn.starttls(TlsParameters::new(self.host.clone())?, &self.hello)
                    .await?
            }
            Tls::Opportunistic => {
                if conn.can_starttls() {
                    conn.starttls(TlsParameters::new(self.host.clone())?, &self.hello)
                        .await?;
                }
            }
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(())
    }

    /// A connection: an idle one still alive, or a new one.
    async fn checkout(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let found = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            match found {
                Some((mut conn, since)) => {
                    if since.elapsed() < FRESH || conn.test_connected().await {
                        return Ok(conn);
                    }
                    conn.abort().await;
                }
                None => return self.connect().await,
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        let envelope = message.envelope().clone();
        let raw = message.formatted();
        let attempt = async {
            let mut conn = self.checkout().await?;
            let sent = conn.send(&envelope, &raw).await;
            match &sent {
                Ok(_) if !conn.has_broken() => {
                    if let Ok(mut idle) = self.idle.lock()
                        && idle.len() < IDLE
                    {
                        idle.push((conn, Instant::now()));
                    }
                }
                _ => conn.abort().await,
            }
            sent.map(|_| ()).map_err(classify)
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Transient(format!(
                "the SMTP server did not answer within {} s",
                self.timeout.as_secs()
            ))),
        }
    }
}

/// A refusal for good (5xx) or for now (anything else).
fn classify(e: lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Transient(e.to_string())
    }
}
