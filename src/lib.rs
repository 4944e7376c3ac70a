//! A multi-user task manager: one crate, built as the server (feature `ssr`) and as
//! the WebAssembly bundle that hydrates its pages (feature `hydrate`).

pub mod app;
pub mod auth;
pub mod components;
pub mod error;
pub mod tasks;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets tests and the benchmark tell a hydrated page from server-rendered HTML.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
