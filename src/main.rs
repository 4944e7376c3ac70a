//! The server binary: read configuration, connect, migrate, serve until told to stop.

/// glibc's malloc keeps a ~19 MiB argon2 block in the arena of every blocking
/// thread that ever hashed a password (hundreds of MB after a burst of log-ins);
/// mimalloc hands large blocks back to the OS and is faster for the many small
/// allocations of page rendering.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    tasks::server::run().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The WASM bundle starts from `hydrate()` in lib.rs; this binary needs `ssr`.
}
