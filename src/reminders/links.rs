//! Progress links: a token signed with the server's secret, bound to one action and one
//! liaison, that expires.

use std::path::Path;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// How long a progress link works.
pub const VALID_DAYS: i64 = 30;

#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
}

/// What a valid link grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub action_id: Uuid,
    pub liaison_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not a link of ours, or altered.
    Invalid,
    /// Ours, but too old.
    Expired,
}

impl LinkSigner {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    /// A signer whose key is derived from this one for another `purpose`: a signature made
    /// for one purpose is worthless for the other.
    pub fn derived(&self, purpose: &str) -> Self {
        let mut mac = self.mac();
        mac.update(purpose.as_bytes());
        Self::new(&mac.finalize().into_bytes())
    }

    /// The signature of `message`, URL-safe.
    pub fn signature(&self, message: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(message);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` (URL-safe) signs `message`, compared in constant time.
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(message);
        mac.verify_slice(&bytes).is_ok()
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    pub fn sign(&self, action_id: Uuid, liaison_id: Uuid, expires_at: DateTime<Utc>) -> String {
        let payload = format!(
            "{}.{}.{}",
            action_id.simple(),
            liaison_id.simple(),
            expires_at.timestamp()
        );
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let signature = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    /// A link for `action_id` and `liaison_id` valid for [`VALID_DAYS`] from `now`.
    pub fn link(&self, action_id: Uuid, liaison_id: Uuid, now: DateTime<Utc>) -> String {
        let expires = now
            .checked_add_signed(Duration::days(VALID_DAYS))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.sign(action_id, liaison_id, expires)
    }

    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Grant, LinkError> {
        let (payload_b64, signature_b64) = token.split_once('.').ok_or(LinkError::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| LinkError::Invalid)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| LinkError::Invalid)?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&signature)
            .map_err(|_| LinkError::Invalid)?;
        let payload = String::from_utf8(payload).map_err(|_| LinkError::Invalid)?;
        let mut parts = payload.split('.');
        let (Some(action), Some(liaison), Some(expires), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(LinkError::Invalid);
        };
        let grant = Grant {
            action_id: Uuid::parse_str(action).map_err(|_| LinkError::Invalid)?,
            liaison_id: Uuid::parse_str(liaison).map_err(|_| LinkError::Invalid)?,
            expires_at: expires
                .parse::<i64>()
                .ok()
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .ok_or(LinkError::Invalid)?,
        };
        if grant.expires_at <= now {
            return Err(LinkError::Expired);
        }
        Ok(grant)
    }
}

/// The signing key: `TINDAK_SECRET` when set; otherwise the key kept in `file`, made on
/// first start (readable by its owner only).
pub fn load_or_create_key(secret: Option<&str>, file: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = secret.filter(|s| !s.trim().is_empty()) {
        return Ok(secret.trim().as_bytes().to_vec());
    }
    if let Ok(existing) = std::fs::read_to_string(file) {
        let existing = existing.trim();
        if !existing.is_empty() {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    let key = URL_SAFE_NO_PAD.encode(bytes);
    crate::auth::service::write_secret(file, &format!("{key}\n"))?;
    tracing::info!("generated the link-signing key in {}", file.display());
    Ok(key.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_and_refuse_forgery_alteration_and_age() {
        let signer = LinkSigner::new(b"key one");
        let (a, l) = (Uuid::now_v7(), Uuid::now_v7());
        let now = Utc::now();
        let token = signer.link(a, l, now);
        let grant = signer.verify(&token, now).expect("valid");
        assert_eq!((grant.action_id, grant.liaison_id), (a, l));
        assert_eq!(
            signer.verify(&token, now + Duration::days(31)),
            Err(LinkError::Expired)
        );
        assert_eq!(
            LinkSigner::new(b"key two").verify(&token, now),
            Err(LinkError::Invalid),
            "another server's key"
        );
        let other = signer.link(Uuid::now_v7(), l, now);
        let spliced = format!(
            "{}.{}",
            other.split('.').next().expect("payload"),
            token.split('.').nth(1).expect("sig")
        );
        assert_eq!(
            signer.verify(&spliced, now),
            Err(LinkError::Invalid),
            "payload swapped"
        );
        assert_eq!(signer.verify("garbage", now), Err(LinkError::Invalid));
    }
}
