//! The page shell and the routes: where the features' pages are put together, on
//! the server only. Features know nothing of each other; what one page shows of
//! another feature (the account page's data section, say) is composed here.
//!
//! Every page is a server component: it renders once, with its data, and ships no
//! code. The browser loads the WASM bundle only to hydrate the islands on the page
//! (`HydrationScripts islands=true`). Between pages there is no client-side router:
//! links are plain links, which keeps the bundle small and every URL a real page
//! (the islands router of leptos 0.8 is still marked work in progress).

use leptos::{either::Either, prelude::*};
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    auth::pages::{
        AccountPage, ForgotPasswordPage, LoginPage, RequireUser, ResetPasswordPage, SignupPage,
        UserMenu,
    },
    identity::signed_in_user,
    page::NotFound,
    tasks::pages::{TaskDataSection, TaskDetailPage, TaskListPage},
    theme::{Theme, ThemePicker},
};

/// `--bg` of each theme in `style/main.css`.
const LIGHT_BACKGROUND: &str = "#f6f7fb";
const DARK_BACKGROUND: &str = "#12151c";

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    crate::page::set_csp(&options);
    let theme = crate::theme::ssr::chosen();
    // Read from the request once; the header's picker shows the same choice.
    provide_context(theme);
    // The address bar's colour: the page's background in the theme shown.
    // tachys 0.2.19 knows no `media` on <meta>, hence a custom attribute (left
    // out when None).
    let theme_color = |color: &'static str, media: Option<&'static str>| {
        leptos::html::meta()
            .name("theme-color")
            .content(color)
            .attr("media", media)
    };
    let theme_colors = match theme {
        Theme::System => Either::Left((
            theme_color(LIGHT_BACKGROUND, Some("(prefers-color-scheme: light)")),
            theme_color(DARK_BACKGROUND, Some("(prefers-color-scheme: dark)")),
        )),
        Theme::Light => Either::Right(theme_color(LIGHT_BACKGROUND, None)),
        Theme::Dark => Either::Right(theme_color(DARK_BACKGROUND, None)),
    };
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme.attribute()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content=theme.color_scheme() />
                {theme_colors}
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::page::provide_real_redirects();
    // Every page waits for its data before the server sends it: redirects and 404s
    // become real HTTP statuses, and pages work in full without JavaScript.
    view! {
        <Router>
            <Header />
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <RequireUser><TaskListPage /></RequireUser> } ssr=SsrMode::Async />
                <Route path=path!("/tasks/:id") view=|| view! { <RequireUser><TaskDetailPage /></RequireUser> } ssr=SsrMode::Async />
                <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=|| view! {
                    <RequireUser>
                        <AccountPage><TaskDataSection /></AccountPage>
                    </RequireUser>
                } ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let theme = use_context::<Theme>().unwrap_or_default();
    let menu = match signed_in_user() {
        Some(user) => Either::Left(view! { <UserMenu user /> }),
        None => Either::Right(()),
    };
    view! {
        <header class="site-header">
            <a href="/" class="brand">"Tasklist"</a>
            <div class="header-tools">
                <ThemePicker theme />
                {menu}
            </div>
        </header>
    }
}
