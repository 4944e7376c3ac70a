//! A multi-user task manager: one crate, built as the server (feature `ssr`) and as
//! the WebAssembly bundle that hydrates the islands on its pages (feature `hydrate`).
//!
//! The layers, bottom up (each imports only those below it; `docs/architecture.md`
//! is the map): shared infrastructure (`config`, `db`, `state`, `error`,
//! `validation`, `submissions`, `identity`, `forms`, `page`, `components`), the features (`auth`,
//! `tasks`), `app` (the shell and the routes), and `server` (router, middleware,
//! start-up).

// The typed views of whole pages (without `--cfg erase_components`, as `cargo test`
// builds them) nest deeper than rustc's default layout limit of 128.
#![recursion_limit = "256"]

pub mod components;
pub mod error;
pub mod identity;
pub mod moment;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod page;
#[cfg(feature = "ssr")]
pub mod signing;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod submissions;
#[cfg(feature = "ssr")]
pub mod telemetry;

pub mod auth;
pub mod tasks;
pub mod theme;

#[cfg(feature = "ssr")]
pub mod app;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Only sets up the reactive system: Leptos's island script calls this, then
    // hydrates each `<leptos-island>` in the same task, so by the time anything
    // else runs (a click, a test's check) every island on the page is live.
    leptos::mount::hydrate_islands();
    // Lets tests and the benchmark tell a hydrated page from server-rendered HTML.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
