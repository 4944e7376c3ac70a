//! The page shell, the router, and the layout every page shares.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    path, SsrMode,
};

use crate::{
    auth::{
        pages::{AccountPage, LoginPage, SignupPage, UserMenu},
        Auth,
    },
    tasks::pages::{TaskDetailPage, TaskListPage},
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_csp(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Scripts on the page run only with this response's nonce; set here because the
/// nonce is made per request when Leptos renders.
#[cfg(feature = "ssr")]
fn set_page_csp(options: &LeptosOptions) {
    use axum::http::{header::CONTENT_SECURITY_POLICY, HeaderValue};
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    // `cargo leptos watch` injects a live-reload script that opens a websocket.
    let live_reload = std::env::var_os("LEPTOS_WATCH").map(|_| options.reload_port);
    let policy = crate::server::security::page_csp(&nonce, live_reload);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Auth::provide();
    // Every page waits for its data before the server sends it: redirects and 404s
    // become real HTTP statuses, and pages work in full without JavaScript.
    view! {
        <Router>
            <Header />
            <Routes fallback=NotFound>
                <Route path=path!("/") view=TaskListPage ssr=SsrMode::Async />
                <Route path=path!("/tasks/:id") view=TaskDetailPage ssr=SsrMode::Async />
                <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <header class="site-header">
            <a href="/" class="brand">"Tasklist"</a>
            <Transition>
                {move || Suspend::new(async move {
                    auth.user.await.ok().flatten().map(|user| view! { <UserMenu user /> })
                })}
            </Transition>
        </header>
    }
}

/// The page for any unknown path, and for anything the visitor may not see: the
/// same page and the same 404 status either way.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <main class="narrow">
            <h1>"Not found"</h1>
            <p>"There is nothing here. It may have been deleted, or the address may be mistyped."</p>
            <p><A href="/">"Go to your tasks"</A></p>
        </main>
    }
}
