//! What a server-rendered page sets on its own HTTP answer: the Content-Security-
//! Policy with this response's script nonce, redirects that are real redirects, the
//! query values a page hands its islands, and the not-found page with its 404.

use axum::http::{
    header::{CONTENT_SECURITY_POLICY, LOCATION},
    HeaderValue, StatusCode,
};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// Scripts on the page run only with this response's nonce; set while rendering
/// because the nonce is made per request then.
pub fn set_csp(options: &LeptosOptions) {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        tracing::error!("a page rendered without its nonce or response options: no CSP set");
        return;
    };
    // `cargo leptos watch` injects a live-reload script that opens a websocket.
    let live_reload = std::env::var_os("LEPTOS_WATCH").map(|_| options.reload_port);
    if let Ok(value) = HeaderValue::from_str(&csp(&nonce, live_reload)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// The policy for a server-rendered page whose scripts carry `nonce`.
/// `wasm-unsafe-eval` lets the page compile its own WebAssembly and nothing else.
pub fn csp(nonce: &str, live_reload_port: Option<u32>) -> String {
    let connect = match live_reload_port {
        Some(port) => format!("'self' ws://localhost:{port} ws://127.0.0.1:{port}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src {connect}; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Makes `<Redirect>` on a page answer `302 Found` with a `Location`, whoever asks.
///
/// leptos_axum 0.8.10's `redirect` (which `<Redirect>` calls through
/// leptos_router 0.8's `ServerRedirectFunction`) sets 302 only for requests that
/// accept `text/html`, and treats every other one (curl's `*/*`, API clients,
/// link previewers, monitors) as a server-function call: `200`, an empty page and
/// a `serverfnredirect` header. A page is never a server-function call, so pages
/// provide this instead; server functions keep Leptos's own. Guarded by the test
/// `protected_pages_redirect_whatever_the_request_accepts`.
pub fn provide_real_redirects() {
    leptos_router::components::provide_server_redirect(|path| {
        let Some(response) = use_context::<ResponseOptions>() else {
            return;
        };
        match HeaderValue::from_str(path) {
            Ok(location) => {
                response.set_status(StatusCode::FOUND);
                response.insert_header(LOCATION, location);
            }
            Err(_) => tracing::error!(path, "a page redirected to a path that is not a header"),
        }
    });
}

/// This page's query parameters, read once per render (each `use_query_map` call
/// makes a memo of its own). Two kinds: where the page is (`filter`, `next`,
/// `token`: anyone may link to them), read with `text` and `number`; and what a
/// plain form post sent back (what was typed, "saved", see `forms`), read with
/// `returned`, which answers only in a URL this app signed.
pub struct Query {
    params: leptos_router::params::ParamsMap,
    signed: bool,
}

impl Query {
    pub fn read() -> Self {
        Self {
            params: leptos_router::hooks::use_query_map().get_untracked(),
            signed: crate::forms::returns_are_signed(),
        }
    }

    /// The parameter's text, or "".
    pub fn text(&self, key: &str) -> String {
        self.params.get(key).unwrap_or_default()
    }

    /// The parameter as a number, when it is one.
    pub fn number<T: std::str::FromStr>(&self, key: &str) -> Option<T> {
        self.params.get_str(key)?.parse().ok()
    }

    /// What a plain form post sent back under `key`, or "" (also when the URL is
    /// not one this app signed).
    pub fn returned(&self, key: &str) -> String {
        if self.signed {
            self.text(key)
        } else {
            String::new()
        }
    }

    /// `returned`, as a number.
    pub fn returned_number<T: std::str::FromStr>(&self, key: &str) -> Option<T> {
        self.signed.then(|| self.number(key)).flatten()
    }
}

/// The page for any unknown path, and for anything the visitor may not see: the
/// same page and the same 404 status either way.
#[component]
pub fn NotFound() -> impl IntoView {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(StatusCode::NOT_FOUND);
    }
    view! {
        <leptos_meta::Title text="Not found" />
        <main class="narrow">
            <h1>"Not found"</h1>
            <p>"There is nothing here. It may have been deleted, or the address may be mistyped."</p>
            <p><a href="/">"Go to your tasks"</a></p>
        </main>
    }
}
