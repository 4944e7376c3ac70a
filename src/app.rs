//! The page shell and the routes: where the features' pages are put together.
//! Features know nothing of each other; what one page shows of another feature
//! (the account page's data section, say) is composed here.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    auth::{
        pages::{AccountPage, LoginPage, RequireUser, SignupPage, UserMenu},
        Auth,
    },
    components::NotFound,
    tasks::pages::{TaskDataSection, TaskDetailPage, TaskListPage},
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::page::set_csp(&options);
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    crate::page::provide_real_redirects();
    Auth::provide();
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
