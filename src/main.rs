//! The server binary: read configuration, connect, migrate, serve until told to stop.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    tasks::server::run().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The WASM bundle starts from `hydrate()` in lib.rs; this binary needs `ssr`.
}
