//! Plain HTML form posts (JavaScript off): where the browser goes after a server
//! function, on success and on failure.
//!
//! Leptos answers a plain form post with a redirect back to the page that sent it,
//! adding the error to the URL on failure. These helpers change where that redirect
//! goes on success, and on failure add what the person typed so the page can fill
//! the form in again instead of making them retype it. Every such query is signed
//! for the browser it is meant for (`signing`), and pages read the error and the
//! typed values only from one signed for them, so a crafted link cannot make a page
//! say what the app did not.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, Method};
use leptos::{
    prelude::{provide_context, use_context},
    server::ServerActionError,
    server_fn::{error::ServerFnUrlError, ServerFn},
};
use leptos_axum::ResponseOptions;
use tower_sessions::cookie::{Cookie, SameSite};
use url::Url;

use crate::{error::AppError, state::AppState};

/// True when the request is a browser's own form submission, not a fetch from the
/// hydrated app (which asks for JSON), and not a page being rendered (a GET).
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|parts| plain_form_post(&parts))
}

fn plain_form_post(parts: &Parts) -> bool {
    parts.method == Method::POST && accepts_html(&parts.headers)
}

/// Whether the request is a browser's own navigation or form submission: only
/// those ask for HTML; the hydrated app's fetches ask for JSON.
pub fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The longest typed value sent back into a URL; longer ones are dropped (the
/// form then starts empty) rather than make a URL proxies would refuse.
const MAX_ECHOED_CHARS: usize = 1000;

/// After a plain form post succeeds, send the browser to `path` instead of back.
/// The hydrated app navigates by itself, once it has refreshed what it shows.
pub fn redirect_plain_form(path: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}

/// After a plain form post succeeds, send the browser to `path` with a notice for
/// the page to show (`("saved", "name")`), signed.
pub fn redirect_plain_form_noting(path: &str, (key, value): (&str, &str)) {
    if is_plain_form_post() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(key, value)
            .finish();
        leptos_axum::redirect(&signed(&format!("{path}?{query}")));
    }
}

/// `path_and_query` signed by this app, now, for this browser (see `signing`).
fn signed(path_and_query: &str) -> String {
    match (use_context::<Parts>(), AppState::from_context()) {
        (Some(parts), Ok(state)) => {
            let binding = binding_for_answer(&parts, state.config.served_over_https);
            state.signer.sign(&binding, path_and_query, now())
        }
        _ => path_and_query.to_owned(),
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A cookie's name given as `__Host-name`: so over HTTPS, where browsers accept
/// such a cookie only when it is `Secure`, host-only and for `/` (no subdomain and no
/// plain-http page can plant or overwrite it); plain `name` over http, where they
/// would refuse it.
pub fn cookie_name(host_prefixed: &'static str, secure: bool) -> &'static str {
    if secure {
        host_prefixed
    } else {
        host_prefixed.trim_start_matches("__Host-")
    }
}

/// Sets `cookie` on the answer a server function or page is writing.
pub fn set_cookie(cookie: &Cookie<'_>) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&cookie.to_string()),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// The cookie naming this browser in signed return URLs.
fn binding_cookie(secure: bool) -> &'static str {
    cookie_name("__Host-returns", secure)
}

/// The value of the request's cookie `name`, if it sent one.
pub fn request_cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// This browser's binding, if it holds one of the shape this app makes.
fn binding_of(parts: &Parts, secure: bool) -> Option<String> {
    request_cookie(parts, binding_cookie(secure))
        .filter(|value| value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// This browser's binding; a new one, set on this answer, when it holds none.
fn binding_for_answer(parts: &Parts, secure: bool) -> String {
    if let Some(binding) = binding_of(parts, secure) {
        return binding;
    }
    let mut raw = [0u8; 16];
    OsRng.fill_bytes(&mut raw);
    let binding = crate::signing::hex(&raw);
    let cookie = Cookie::build((binding_cookie(secure), binding.clone()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build();
    set_cookie(&cookie);
    binding
}

/// Whether this page's address is one this app signed for this browser (a plain
/// form post's way back): only then does the page show what its query says was
/// typed or happened.
///
/// When it is not, this also hides the returned error from every `ServerAction`
/// made below the calling page: leptos_router 0.8.17 hands `__err`/`__path` from
/// any URL to each new action (`Location::provide_server_action_error`), which an
/// island would show as its own alert. A context of our own with no path shadows it.
pub fn returns_are_signed() -> bool {
    let signed = match (use_context::<Parts>(), AppState::from_context()) {
        (Some(parts), Ok(state)) => {
            let binding = binding_of(&parts, state.config.served_over_https);
            match (binding, parts.uri.path_and_query()) {
                (Some(binding), Some(url)) => state.signer.verify(&binding, url.as_str(), now()),
                _ => false,
            }
        }
        _ => false,
    };
    if !signed && use_context::<ServerActionError>().is_some() {
        provide_context(ServerActionError::new("", ""));
    }
    signed
}

/// The query parameters that say where a page is (its filter, its place in the
/// list, where to go next, the reset link's token): the only ones of the sending
/// page's address that a failed post's way back keeps. Anything else in the
/// `Referer` (which the poster chooses) is dropped, never signed.
const PLACE_PARAMS: &[&str] = &["next", "token", "filter", "after", "before", "edit", "q"];

/// After a plain form post fails, send the browser back to the form with the error
/// and the given field values (never a password) in the query string, signed.
pub fn return_to_form(server_fn_path: &str, error: &AppError, values: &[(&str, &str)]) {
    let Some(mut url) = plain_form_referer() else {
        return;
    };
    let kept =
        |key: &str| PLACE_PARAMS.contains(&key) && !values.iter().any(|(name, _)| *name == key);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| kept(key))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .extend_pairs(
            values.iter().filter(|(_, value)| {
                !value.is_empty() && value.chars().count() <= MAX_ECHOED_CHARS
            }),
        );
    let Ok(url) = ServerFnUrlError::new(server_fn_path, error.clone()).to_url(url.as_str()) else {
        return;
    };
    leptos_axum::redirect(&signed(&path_and_query(&url)));
}

/// Finishes a server function: on failure, a plain form post goes back to the form
/// with `values` (its status, for a fetch, is set where every error answer is
/// shaped: `server::errors`).
pub fn respond<S: leptos::server_fn::ServerFn, T>(
    result: Result<T, AppError>,
    values: &[(&str, &str)],
) -> Result<T, AppError> {
    if let Err(error) = &result {
        return_to_form(S::PATH, error, values);
    }
    result
}

/// After a plain form post succeeds, go back to the sending page without the given
/// query parameters (e.g. leave the list's edit mode after saving the edit).
pub fn redirect_back_without(params: &[&str]) {
    let Some(mut url) = plain_form_referer() else {
        return;
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| !key.starts_with("__") && !params.contains(&key.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    leptos_axum::redirect(&path_and_query(&url));
}

/// The page a plain form post came from; None for fetch calls.
fn plain_form_referer() -> Option<Url> {
    let parts = use_context::<Parts>().filter(plain_form_post)?;
    let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
    Url::parse(referer).ok()
}

/// Path and query only: a redirect must never leave the site on a header's word.
/// (A path like `//evil.example` would, so it becomes `/`.)
fn path_and_query(url: &Url) -> String {
    if url.path().starts_with("//") || url.path().starts_with("/\\") {
        return "/".to_owned();
    }
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// The error a failed plain form post to `S` brought back in this page's URL, for
/// the page to hand to the island that shows the form; none in a URL this app did
/// not sign.
pub fn returned_error<S: ServerFn>() -> Option<AppError> {
    if !returns_are_signed() {
        return None;
    }
    use_context::<ServerActionError>()
        .filter(|error| error.path() == S::PATH)
        .map(|error| ServerFnUrlError::<AppError>::decode_err(error.err()))
}
