//! Defences that apply to every request: refusing cross-site writes (CSRF) and the
//! security headers. The Content-Security-Policy for pages is set while the page
//! renders (`page::set_csp`), where the per-request script nonce is known.

use std::sync::Arc;

use axum::Router;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{config::Config, error::AppError};

/// Refuses state-changing requests that a browser sent on behalf of another origin
/// (another site, or another port or scheme of this one).
///
/// Browsers label every request with `Sec-Fetch-Site`; where it is missing (older
/// browsers) the `Origin` header, or failing that the `Referer`, must name this
/// site: its scheme, host and port must be `PUBLIC_ORIGIN`'s when that is set (a
/// proxy may rewrite `Host`, and `Host` says nothing of the scheme), else its host
/// and port the request's `Host`. Requests with none of the three did not come
/// from a browser page, so no cookie was smuggled into them by another site, and
/// they pass.
pub async fn refuse_cross_site_writes(
    State(public_origin): State<Option<Arc<str>>>,
    request: Request,
    next: Next,
) -> Response {
    if is_safe_method(request.method())
        || is_same_origin(request.headers(), public_origin.as_deref())
    {
        return next.run(request).await;
    }
    tracing::warn!(
        method = %request.method(),
        path = request.uri().path(),
        sec_fetch_site = ?request.headers().get("sec-fetch-site"),
        origin = ?request.headers().get(header::ORIGIN),
        "refused a cross-site request"
    );
    AppError::CrossSite.into_response()
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_origin(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    let text = |name: HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(HeaderName::from_static("sec-fetch-site")) {
        // `none`: the person started it themselves (typed URL, bookmark).
        return matches!(site, "same-origin" | "none");
    }
    let source = match (text(header::ORIGIN), text(header::REFERER)) {
        // Privacy settings can make a browser send `Origin: null`: no proof.
        (Some("null"), _) => return false,
        (Some(origin), _) => origin,
        (None, Some(referer)) => referer,
        (None, None) => return true,
    };
    if let Some(public_origin) = public_origin {
        return url::Url::parse(source)
            .is_ok_and(|url| url.origin().ascii_serialization() == public_origin);
    }
    let Some(host) = text(header::HOST) else {
        return false;
    };
    authority_of(source).is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

/// `https://example.com:8080/path` -> `example.com:8080`.
fn authority_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|a| !a.is_empty())
}

/// Adds the headers every response carries (pages add their own, stricter CSP).
pub fn with_headers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    config: &Config,
) -> Router<S> {
    let set =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    let router = router
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // `same-origin` keeps full URLs inside the site, which plain form posts rely
        // on (Leptos redirects back to the Referer), and sends nothing elsewhere.
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        // Anything without a page's own policy (server-function answers, files,
        // errors) may load nothing and be framed by no one.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        ));
    if config.served_over_https {
        router.layer(set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        router
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        map
    }

    fn is_same_origin_by_host(headers: &HeaderMap) -> bool {
        is_same_origin(headers, None)
    }

    #[test]
    fn with_a_public_origin_the_scheme_host_and_port_must_all_match_it() {
        let public = Some("https://tasks.example.com");
        let from = |origin: &'static str| {
            is_same_origin(
                &headers(&[("host", "tasks.example.com"), ("origin", origin)]),
                public,
            )
        };
        assert!(from("https://tasks.example.com"));
        assert!(!from("http://tasks.example.com"), "another scheme");
        assert!(!from("https://tasks.example.com:8443"), "another port");
        assert!(!from("https://evil.example"));
        // A proxy that rewrites Host cannot make another site look like this one.
        assert!(!is_same_origin(
            &headers(&[("host", "evil.example"), ("origin", "https://evil.example")]),
            public
        ));
        assert!(is_same_origin(
            &headers(&[("referer", "https://tasks.example.com/login")]),
            public
        ));
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_same_origin_by_host(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_same_origin_by_host(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(!is_same_origin_by_host(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://app"),
            ("host", "app")
        ])));
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_match_the_host() {
        assert!(is_same_origin_by_host(&headers(&[
            ("host", "app.example:3000"),
            ("origin", "http://app.example:3000")
        ])));
        assert!(!is_same_origin_by_host(&headers(&[
            ("host", "app.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!is_same_origin_by_host(&headers(&[
            ("host", "app.example"),
            ("origin", "null")
        ])));
        assert!(!is_same_origin_by_host(&headers(&[
            ("host", "app.example"),
            ("origin", "https://app.example.evil.example")
        ])));
    }

    #[test]
    fn without_an_origin_the_referer_must_match_the_host() {
        assert!(is_same_origin_by_host(&headers(&[
            ("host", "app.example"),
            ("referer", "https://app.example/login?next=/")
        ])));
        assert!(!is_same_origin_by_host(&headers(&[
            ("host", "app.example"),
            ("referer", "https://evil.example/app.example")
        ])));
    }

    #[test]
    fn requests_without_any_browser_headers_are_not_cross_site() {
        assert!(is_same_origin_by_host(&headers(&[("host", "app.example")])));
    }
}
