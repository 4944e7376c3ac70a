//! The server: its shared state, the router (built by one function that tests use
//! too), and the start-up sequence `main` runs.

mod abandoned;
mod bodies;
pub mod db;
pub mod forms;
mod health;
mod http_log;
pub mod security;

use std::{process::ExitCode, sync::Arc, time::Duration};

use axum::{extract::FromRef, routing::get, serve::ListenerExt, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, limit::RequestBodyLimitLayer,
    services::ServeDir, set_header::SetResponseHeaderLayer,
};

use crate::{
    app::{shell, App},
    auth::ssr::{AuthLayerState, Passwords},
    config::Config,
};

/// Largest request body accepted anywhere (413 beyond it). Forms are tiny; the
/// task import, the largest legitimate body, has its own documented limit below this.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How long in-flight requests may run on after SIGTERM or Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What every handler and server function can reach: axum state for handlers,
/// Leptos context (`use_context::<AppState>()`) for server functions.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: db::Db,
    pub config: Arc<Config>,
    pub passwords: Passwords,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: db::Db, config: Config) -> Self {
        let passwords = Passwords::new(config.password_hash_concurrency);
        Self {
            leptos_options,
            db,
            config: Arc::new(config),
            passwords,
        }
    }

    /// The state inside a server function or a component rendered on the server.
    pub fn from_context() -> Result<Self, crate::error::AppError> {
        use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            crate::error::AppError::Internal
        })
    }
}

/// The whole application as one `Router`, with every layer it runs behind.
pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);

    // Pages and server functions: they need the session and the current person.
    let app = Router::new()
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .merge(crate::tasks::ssr::routes())
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(abandoned::finish_abandoned_pages))
        .layer(axum::middleware::from_fn(
            crate::error::ssr::server_fn_error_status,
        ))
        .layer(axum::middleware::from_fn(bodies::check_server_fn_body))
        .layer(axum::middleware::from_fn_with_state(
            AuthLayerState::from(&state),
            crate::auth::ssr::authenticate,
        ))
        .layer(crate::auth::ssr::session_layer(&state))
        .layer(axum::middleware::from_fn(
            crate::auth::ssr::unsaved_session_is_unavailable,
        ))
        .layer(axum::middleware::from_fn(
            security::refuse_cross_site_writes,
        ));

    // The WASM, JS and CSS bundle: served without touching the session, from the
    // brotli or gzip file the release build made beside each one when there is one.
    // With hashed file names a name never changes meaning, so browsers keep them a
    // year; without (a build that did not hash), they revalidate.
    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let pkg_cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let assets = Router::new()
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static(pkg_cache),
        ));

    let mut router = Router::new().route("/healthz", get(health::healthz));
    if state.config.fault_injection {
        tracing::warn!("FAULT_INJECTION is on: GET /__faults/panic panics on purpose");
        router = router.route("/__faults/panic", get(injected_panic));
    }
    let router = router
        .merge(assets)
        .merge(app)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    security::with_headers(router, &state.config)
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(http_log::panic_response))
        .layer(http_log::layer())
        .with_state(state)
}

async fn injected_panic() -> &'static str {
    panic!("injected fault (FAULT_INJECTION): a handler that panics")
}

/// mimalloc asks for transparent huge pages, so every 2 MiB region it touches
/// becomes resident in full. Measured with this opt-out: 38 MB instead of 44 MB
/// just after start, 47 MB instead of 67 MB after 10 s of pages at concurrency 16.
/// The prctl covers hosts whose kernel uses huge pages unasked (`always`) too.
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    if unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) } != 0 {
        tracing::debug!("could not disable transparent huge pages");
    }
}

/// Start-up: configuration, logging, database, migrations, then serve until SIGINT
/// or SIGTERM, letting in-flight requests finish.
pub async fn run() -> ExitCode {
    let _ = dotenvy::dotenv();
    http_log::init_tracing();
    disable_transparent_huge_pages();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let leptos_options = match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(error) => {
            eprintln!("error: reading the Leptos settings failed: {error}");
            return ExitCode::FAILURE;
        }
    };

    // With hashed file names every page needs hash.txt (beside this binary); check
    // once here rather than fail every page.
    if leptos_options.hash_files {
        let hash_file = std::env::current_exe().ok().and_then(|exe| {
            exe.parent()
                .map(|dir| dir.join(leptos_options.hash_file.as_ref()))
        });
        if !hash_file.as_ref().is_some_and(|file| file.exists()) {
            eprintln!(
                "error: LEPTOS_HASH_FILES is true but {} is missing. Copy the hash.txt that \
                 `cargo leptos build` wrote beside the binary (target/<profile>/hash.txt) next to it.",
                hash_file.map_or_else(|| "hash.txt".to_owned(), |f| f.display().to_string())
            );
            return ExitCode::FAILURE;
        }
    }

    tracing::info!(database = %config.database.url, "connecting to PostgreSQL");
    if let Err(error) = db::migrate(&config.database).await {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }
    let db = match db::connect(&config.database).await {
        Ok(db) => db,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };

    let addr = config.listen_addr;
    let state = AppState::new(leptos_options, db.clone(), config);
    crate::auth::ssr::spawn_sweeper(
        db.clone(),
        state.config.login_throttle.window,
        Duration::from_secs(15 * 60),
    );

    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {addr}: {error}. Is another server using it? Set LEPTOS_SITE_ADDR to another address.");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{addr}");
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let (stopping, stop) = tokio::sync::oneshot::channel::<()>();
    // Leptos streams a page in several writes; with Nagle's algorithm on, a write
    // waits for the browser's (delayed, up to 40 ms) ACK of the one before it.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "could not set TCP_NODELAY on a connection");
        }
    });
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping.send(());
    });
    // In-flight requests get a bounded grace period once a stop is requested: a
    // request stuck on an unreachable database must not keep the process alive.
    let deadline = async move {
        if stop.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => {
            if let Err(error) = result {
                eprintln!("error: server failed: {error}");
                return ExitCode::FAILURE;
            }
        }
        () = deadline => {
            // Closing the pool would wait for the very requests given up on.
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still running after the grace period; stopping anyway");
            return ExitCode::SUCCESS;
        }
    }
    db.pool().close().await;
    tracing::info!("stopped");
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn the_server_opts_out_of_transparent_huge_pages() {
        super::disable_transparent_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE only reads the process's flag.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1, "huge pages would inflate resident memory");
    }
}
