//! Where email goes: an SMTP server (lettre, pooled, with timeouts), or `.eml` files.

use std::time::Duration;

use anyhow::Context;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::MailSettings;

pub enum Mailer {
    /// Plain SMTP and STARTTLS, on connections opened with TCP_NODELAY.
    Direct(super::smtp::Smtp),
    /// Implicit TLS (`smtps://`), through lettre's pooled transport.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Why a message was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later: 4xx answers, timeouts, refused connections.
    Transient(String),
    /// The server refused for good (5xx), or the address is unusable.
    Permanent(String),
}

impl Mailer {
    pub fn from_settings(s: &MailSettings) -> anyhow::Result<Self> {
        match s.smtp_url.as_ref().map(|u| u.expose_secret().trim()) {
            Some(url) if !url.is_empty() => {
                let timeout = Duration::from_secs(s.smtp_timeout_secs);
                if let Some(direct) = super::smtp::Smtp::from_url(url, timeout) {
                    return Ok(Self::Direct(direct));
                }
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    // The URL may hold a password: say what is wrong without it.
                    .map_err(|_| {
                        anyhow::anyhow!("SMTP_URL is not a valid smtp:// or smtps:// URL")
                    })?
                    .timeout(Some(Duration::from_secs(s.smtp_timeout_secs)))
                    .build();
                Ok(Self::Smtp(transport))
            }
            _ => {
                std::fs::create_dir_all(&s.mail_dir).with_context(|| {
                    format!("could not create the mail folder {}", s.mail_dir.display())
                })?;
                Ok(Self::Files(AsyncFileTransport::<Tokio1Executor>::new(
                    &s.mail_dir,
                )))
            }
        }
    }

    /// Where mail goes, for the log (never the credentials).
    pub fn describe(&self, s: &MailSettings) -> String {
        match self {
            Self::Smtp(_) | Self::Direct(_) => "SMTP (SMTP_URL)".to_owned(),
            Self::Files(_) => format!(".eml files in {}", s.mail_dir.display()),
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Self::Direct(smtp) => smtp.send(message).await,
            Self::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    SendError::Transient(e.to_string())
                }
            }),
            Self::Files(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| SendError::Transient(e.to_string())),
        }
    }
}
