//! Links a leader can open: a report or meeting page's path and query, signed with a key
//! derived from the server's secret for this purpose only, naming its issuer and when it
//! expires.
//!
//! The signature covers the path and every query parameter (sorted), including the issuer
//! (`by`) and the expiry (`exp`, Unix seconds); `sig` carries it.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    reminders::links::LinkSigner,
};

/// What the key is derived for.
const PURPOSE: &str = "tindak report links v1";

/// The longest path with query a link may carry.
const MAX_LEN: usize = 2_000;

/// How long a link may be made to work, in days.
pub const MAX_DAYS: i32 = 366;

/// Where links may lead.
const PREFIXES: [&str; 2] = ["/reports/", "/meetings/"];

/// The parameters a link adds; a path may not bring its own.
const RESERVED: [&str; 3] = ["by", "exp", "sig"];

#[derive(Clone)]
pub struct ReportSigner {
    signer: LinkSigner,
}

/// What a valid link grants: its issuer's view of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// The user who made the link; `None` for a link the server made itself (in the weekly
    /// leadership digest to a configured address), which sees everything.
    pub issuer: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

/// How a link made by the server itself names its issuer.
const SYSTEM: &str = "tindak";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not signed by us, or altered.
    Invalid,
    /// Signed by us, but expired.
    Expired,
}

/// The text signed: the path, then the parameters sorted, URL-encoded.
fn message(path: &str, params: &[(String, String)]) -> Vec<u8> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let query = serde_urlencoded::to_string(&sorted).unwrap_or_default();
    format!("{path}\n{query}").into_bytes()
}

/// Splits `target` (path with optional query) into the path and its decoded parameters,
/// refusing what no page of ours looks like.
pub fn parse_target(target: &str) -> AppResult<(String, Vec<(String, String)>)> {
    let bad = |why: &str| AppError::bad_input("path", why.to_owned());
    if target.len() > MAX_LEN {
        return Err(bad("the path is too long"));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if !PREFIXES.iter().any(|p| path.starts_with(p)) {
        return Err(bad("the path must start with /reports/ or /meetings/"));
    }
    if path.contains("..")
        || path.contains("//")
        || !path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        return Err(bad(
            "the path may hold letters, digits, '/', '.', '_' and '-' only",
        ));
    }
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|_| bad("the query is not URL-encoded"))?;
    if params
        .iter()
        .any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
    {
        return Err(bad("the query holds control characters"));
    }
    if let Some((k, _)) = params.iter().find(|(k, _)| RESERVED.contains(&k.as_str())) {
        return Err(bad(&format!("the query may not set '{k}'")));
    }
    Ok((path.to_owned(), params))
}

impl ReportSigner {
    pub fn new(base: &LinkSigner) -> Self {
        Self {
            signer: base.derived(PURPOSE),
        }
    }

    /// `public_url` + `target` + `by`, `exp` and `sig`; `target` must be a path under
    /// `/reports/` or `/meetings/`, with an optional query.
    pub fn link(
        &self,
        public_url: &str,
        target: &str,
        issuer: Uuid,
        days: i32,
        now: DateTime<Utc>,
    ) -> AppResult<String> {
        self.link_by(public_url, target, &issuer.to_string(), days, now)
    }

    /// A link made by the server itself (see [`Grant::issuer`]).
    pub fn system_link(
        &self,
        public_url: &str,
        target: &str,
        days: i32,
        now: DateTime<Utc>,
    ) -> AppResult<String> {
        self.link_by(public_url, target, SYSTEM, days, now)
    }

    fn link_by(
        &self,
        public_url: &str,
        target: &str,
        issuer: &str,
        days: i32,
        now: DateTime<Utc>,
    ) -> AppResult<String> {
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(AppError::bad_input(
                "expiresInDays",
                format!("expiresInDays must be between 1 and {MAX_DAYS}"),
            ));
        }
        let (path, mut params) = parse_target(target)?;
        let expires = now + Duration::days(i64::from(days));
        params.push(("by".into(), issuer.to_owned()));
        params.push(("exp".into(), expires.timestamp().to_string()));
        let sig = self.signer.signature(&message(&path, &params));
        params.push(("sig".into(), sig));
        let query = serde_urlencoded::to_string(&params).unwrap_or_default();
        Ok(format!(
            "{}{path}?{query}",
            public_url.trim_end_matches('/')
        ))
    }

    /// Checks the link a request came with (`path` and its raw query): `Ok(None)` when it
    /// carries no signature at all (the request must then bring a token).
    pub fn verify(
        &self,
        path: &str,
        raw_query: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<Grant>, LinkError> {
        let mut params: Vec<(String, String)> =
            serde_urlencoded::from_str(raw_query.unwrap_or("")).map_err(|_| LinkError::Invalid)?;
        let sigs: Vec<usize> = (0..params.len())
            .filter(|&i| params[i].0 == "sig")
            .collect();
        let sig = match sigs.as_slice() {
            [] => return Ok(None),
            [i] => params.remove(*i).1,
            _ => return Err(LinkError::Invalid),
        };
        if !self.signer.verifies(&message(path, &params), &sig) {
            return Err(LinkError::Invalid);
        }
        let one = |key: &str| {
            let mut found = params.iter().filter(|(k, _)| k == key);
            match (found.next(), found.next()) {
                (Some((_, v)), None) => Ok(v.as_str()),
                _ => Err(LinkError::Invalid),
            }
        };
        let issuer = match one("by")? {
            SYSTEM => None,
            by => Some(Uuid::parse_str(by).map_err(|_| LinkError::Invalid)?),
        };
        let expires_at = one("exp")?
            .parse::<i64>()
            .ok()
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .ok_or(LinkError::Invalid)?;
        if expires_at <= now {
            return Err(LinkError::Expired);
        }
        Ok(Some(Grant { issuer, expires_at }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> ReportSigner {
        ReportSigner::new(&LinkSigner::new(b"secret"))
    }

    fn split(link: &str) -> (String, String) {
        let rest = link.trim_start_matches("https://t.example");
        let (p, q) = rest.split_once('?').expect("query");
        (p.to_owned(), q.to_owned())
    }

    #[test]
    fn a_link_verifies_until_it_expires_and_not_once_altered() {
        let now = Utc::now();
        let issuer = Uuid::now_v7();
        let link = signer()
            .link(
                "https://t.example/",
                "/reports/status.html?lang=en&ministry=KEMLU&ministry=BNPB",
                issuer,
                7,
                now,
            )
            .expect("link");
        let (path, query) = split(&link);
        let grant = signer().verify(&path, Some(&query), now).expect("valid");
        assert_eq!(grant.map(|g| g.issuer), Some(Some(issuer)));
        assert_eq!(
            signer().verify(&path, Some(&query), now + Duration::days(8)),
            Err(LinkError::Expired)
        );
        for altered in [
            query.replace("lang=en", "lang=id"),
            query.replace("ministry=BNPB", "ministry=KEMLU"),
            format!("{query}&ministry=KEMENKES"),
            query.replace("exp=", "exp=9"),
        ] {
            assert_eq!(
                signer().verify(&path, Some(&altered), now),
                Err(LinkError::Invalid),
                "{altered}"
            );
        }
        assert_eq!(
            signer().verify("/reports/actions.csv", Some(&query), now),
            Err(LinkError::Invalid)
        );
        let other = ReportSigner::new(&LinkSigner::new(b"other"));
        assert_eq!(
            other.verify(&path, Some(&query), now),
            Err(LinkError::Invalid)
        );
        // The same secret signs progress links with another key.
        let progress = LinkSigner::new(b"secret");
        assert!(!progress.verifies(&message(&path, &[]), "x"));
    }

    #[test]
    fn only_our_pages_can_be_signed() {
        let now = Utc::now();
        let id = Uuid::now_v7();
        for target in [
            "https://evil.example/reports/",
            "/graphql",
            "/reports/../graphql",
            "/reports//x",
            "/reports/status.html?sig=x",
            "/reports/status.html?by=someone",
            "/reports/st atus.html",
            "/reports/status.html?x=%0A",
        ] {
            assert!(
                signer()
                    .link("https://t.example", target, id, 7, now)
                    .is_err(),
                "{target}"
            );
        }
        assert!(
            signer()
                .link("https://t.example", "/reports/status.html", id, 0, now)
                .is_err()
        );
        assert!(
            signer()
                .link("https://t.example", "/meetings/x/minutes.html", id, 7, now)
                .is_ok()
        );
    }
}
