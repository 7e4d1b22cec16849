//! What every page that a signed link opens sends and accepts: the link is a credential in
//! the URL, so the page is never cached, never framed, never leaks its address to another
//! site, loads nothing from elsewhere, and takes forms only from this server's own pages.

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// The content policy of these pages: their own inline style, nothing else; forms post back
/// here only.
const CONTENT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the private-page headers to every answer of the routes it wraps.
pub async fn private_page_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A public page (no credential in its address): rendered HTML with its content policy,
/// revalidated on each visit, never framed; a template that fails to render is logged and
/// answered with 500.
pub fn public_page(rendered: askama::Result<String>, policy: &'static str, what: &str) -> Response {
    use axum::response::IntoResponse as _;
    match rendered {
        Ok(html) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(policy),
                ),
                (
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ),
                (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            html,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, page = what, "a page could not be rendered");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The origin (`scheme://host[:port]`) of a URL, lower-cased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{}://{}", scheme, host).to_ascii_lowercase())
}

/// Whether a form post comes from this server's own page: its `Origin` is the public address
/// or the address the request was sent to. A page sent with `Referrer-Policy: no-referrer`
/// posts with `Origin: null`; then the browser's `Sec-Fetch-Site: same-origin` (which no page
/// can forge) must vouch for it. Anything else, including a post with neither, is refused.
pub fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match get("origin").map(str::trim) {
        Some(origin) if origin != "null" => {
            let origin = origin.to_ascii_lowercase();
            let public = origin_of(public_url);
            let host = get("host").map(|h| h.to_ascii_lowercase());
            public.as_deref() == Some(origin.as_str())
                || host.is_some_and(|h| {
                    origin == format!("http://{h}") || origin == format!("https://{h}")
                })
        }
        _ => get("sec-fetch-site") == Some("same-origin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_our_own_pages_may_post() {
        let public = "https://tindak.example.go.id/";
        assert!(same_origin(
            &headers(&[("origin", "https://tindak.example.go.id")]),
            public
        ));
        assert!(same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080")
            ]),
            public
        ));
        assert!(same_origin(
            &headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[("origin", "https://evil.example")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[("origin", "null"), ("sec-fetch-site", "cross-site")]),
            public
        ));
        assert!(!same_origin(&headers(&[]), public));
    }
}
