//! Bearer tokens: 256 random bits behind a recognisable prefix, stored only as a hash.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

pub const PREFIX: &str = "tdk_";
/// How much of a token is kept in clear to recognise it in a list.
const SHOWN: usize = PREFIX.len() + 6;

/// A new token in clear (shown once), the part kept to recognise it, and its hash.
pub struct NewToken {
    /// The token in clear: `Debug` never shows it.
    pub token: SecretString,
    pub prefix: String,
    pub hash: String,
}

pub fn generate() -> anyhow::Result<NewToken> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    Ok(NewToken {
        prefix: token[..SHOWN].to_owned(),
        hash: hash(&token),
        token: SecretString::from(token),
    })
}

/// SHA-256 in hex. The tokens carry 256 random bits, so a fast hash is enough: there is
/// nothing to guess.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The token in an `Authorization: Bearer …` header, if it looks like one of ours.
pub fn from_header(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && token.starts_with(PREFIX)).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        use secrecy::ExposeSecret;
        let a = generate().expect("token");
        let b = generate().expect("token");
        let (token, other) = (a.token.expose_secret(), b.token.expose_secret());
        assert_ne!(token, other);
        assert!(token.starts_with("tdk_"));
        assert_eq!(token.len(), 4 + 43, "32 bytes in base64url");
        assert!(token.starts_with(&a.prefix));
        assert_eq!(a.hash.len(), 64);
        assert_eq!(a.hash, hash(token));
        assert!(!a.hash.contains(&token[4..]));
        assert!(
            !format!("{:?}", a.token).contains(&token[4..]),
            "Debug never shows it"
        );
    }

    #[test]
    fn only_bearer_tokens_of_ours_are_read() {
        assert_eq!(from_header("Bearer tdk_abc"), Some("tdk_abc"));
        assert_eq!(from_header("bearer   tdk_abc "), Some("tdk_abc"));
        assert_eq!(from_header("Basic dXNlcjpwYXNz"), None);
        assert_eq!(from_header("Bearer abc"), None);
        assert_eq!(from_header("tdk_abc"), None);
    }
}
