//! The server binary: read configuration, connect, migrate, serve until told to stop;
//! or run one operator command (`tasks --help`).

/// mimalloc for speed: page rendering makes many small allocations, and with glibc's
/// malloc the server spent 45% more CPU per `GET /` (2.8 ms rather than 1.9, signed in
/// with 50 tasks; medians of 14-20 interleaved release runs on a busy 2-core machine)
/// and served a third fewer pages (248/s rather than 392 at 16 connections). glibc
/// would hold ~6 MB less (58 MB rather than 64 under log-ins), but only with argon2's
/// 19 MiB reused by hand: allocated per hash, as src/auth/ssr/passwords.rs does, glibc
/// kept 229 MB after 8 bursts of 64 log-ins.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    tasks::server::main().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The WASM bundle starts from `hydrate()` in lib.rs; this binary needs `ssr`.
}
