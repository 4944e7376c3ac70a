//! The server, at the top of the house: the router with its middleware (built by
//! one function that tests use too), and the start-up sequence `main` runs. It
//! composes the features; nothing below imports it.

mod abandoned;
mod bodies;
mod errors;
mod health;
pub mod http_log;
pub mod metrics;
pub mod operators;
mod security;
mod site;
pub mod sweeper;

use std::{collections::HashMap, process::ExitCode, sync::Arc, time::Duration};

use axum::{routing::get, serve::ListenerExt, Router};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

use crate::{
    app::{shell, App},
    auth::{
        self,
        ssr::{session, Passwords},
    },
    config::{Config, MailConfig, MailTransport},
    db, mail,
    state::AppState,
    tasks::ImportTasks,
};

/// Largest request body accepted anywhere (413 beyond it). Forms are tiny; the
/// task import, the largest legitimate body, has its own documented limit below this.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Where Leptos serves the server functions (its default prefix).
const SERVER_FNS: &str = "/api/";

/// How long in-flight requests may run on after SIGTERM or Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The outbox's worker with the mail every feature writes; None when mail is off.
/// Tests run it too (`deliver_due`), against a real SMTP server.
pub fn mail_worker(state: &AppState) -> Option<mail::Worker> {
    let mail = &state.config.mail;
    let reset = auth::ssr::reset::ResetMail {
        db: state.db.clone(),
        origin: mail.public_origin.clone(),
        lifetime: mail.reset_link_lifetime,
    };
    let composers: HashMap<&'static str, Arc<dyn mail::Compose>> = HashMap::from([(
        auth::ssr::reset::KIND,
        Arc::new(reset) as Arc<dyn mail::Compose>,
    )]);
    mail::Worker::new(&state.outbox, mail, composers)
}

/// Says at start-up where mail goes, so an operator never wonders why none came.
fn announce_mail(config: &MailConfig) {
    match &config.transport {
        MailTransport::Smtp(url) => {
            tracing::info!(smtp = %url, from = %config.from, links = %config.public_origin, "mail goes out over SMTP");
        }
        MailTransport::Log => tracing::warn!(
            "SMTP_URL is not set: mail (password-reset links included) is written to this log \
             instead of sent, as this is a development build"
        ),
        MailTransport::Off => tracing::warn!(
            "SMTP_URL is not set: password reset by email is off (the forgotten-password page says so)"
        ),
    }
}

/// The whole application as one `Router`, with every layer it runs behind.
pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    // Services of one feature, beside the shared state in every server function's
    // context.
    let passwords = Passwords::new(state.config.password_hash_concurrency);
    let uploads = bodies::Uploads(&[<ImportTasks as ServerFn>::PATH]);

    // Pages and server functions: they need the session and the current person.
    // Layers run outside in: the last added sees the request first.
    let app = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(passwords.clone()),
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        // Any other path is the app's not-found page (a 404 it sets itself). Not
        // `file_and_error_handler`: for a file it finds, leptos_axum 0.8.10 makes a
        // reactive owner under whatever owner the thread last had and moves that
        // owner's response headers onto the file, so a page rendered at the same time
        // lost its Content-Security-Policy to its own favicon (then loaded nothing).
        // The site's files are served below, by path, before the app sees them.
        .fallback(leptos_axum::render_app_async_with_context(|| (), {
            let options = options.clone();
            move || shell(options.clone())
        }))
        .layer(axum::middleware::from_fn(abandoned::finish_abandoned_pages))
        // The downloads stream plain bytes, not a Leptos page: a client that hangs up
        // ends them at once (and gives back their bulk place), with nothing to drain.
        .merge(crate::tasks::ssr::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.signer.clone(),
            crate::signing::with_key,
        ))
        .layer(axum::middleware::from_fn_with_state(
            uploads,
            bodies::check_server_fn_body,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.session.clone(),
            session::authenticate,
        ))
        .layer(session::layer(
            &state.db,
            &state.config.session,
            state.config.served_over_https,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.public_origin.as_deref().map(Arc::from),
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

    // The files cargo-leptos copies from `public/` into the site root (the icon):
    // their names carry no hash, so browsers may keep them a day.
    let root_files = site_root_files(&options.site_root)
        .into_iter()
        .fold(Router::new(), |files, (path, file)| {
            files.route_service(&path, ServeFile::new(file))
        })
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("public, max-age=86400"),
        ));

    let mut router = Router::new().route("/healthz", get(health::healthz));
    if state.config.fault_injection {
        tracing::warn!("FAULT_INJECTION is on: GET /__faults/panic panics on purpose");
        router = router.route("/__faults/panic", get(injected_panic));
    }
    let router = router
        .merge(assets)
        .merge(root_files)
        .merge(app)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    outer_layers(router, &state.config).with_state(state)
}

/// The layers every answer passes through, innermost first: a panic becomes an
/// answer (which then gets the headers like any other), the security headers,
/// `no-store` unless a route said otherwise, the one place error answers take
/// their form (outside everything that can refuse or fail a request, inside the
/// compression so it reads bodies as written), compression, the request log with
/// the request's id, and the request metrics.
fn outer_layers<S: Clone + Send + Sync + 'static>(router: Router<S>, config: &Config) -> Router<S> {
    let router = router.layer(CatchPanicLayer::custom(http_log::panic_response));
    security::with_headers(router, config)
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
        .layer(axum::middleware::from_fn(errors::error_answers))
        .layer(CompressionLayer::new())
        .layer(http_log::layer())
        // The request's id (its X-Request-Id, or a new one), seen by the log line's
        // span and returned with the answer.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn(http_log::drop_odd_request_id))
        .layer(axum::middleware::from_fn(metrics::track))
}

/// `/name` and the path of each file directly in the site root.
fn site_root_files(site_root: &str) -> Vec<(String, std::path::PathBuf)> {
    let Ok(entries) = std::fs::read_dir(site_root) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            Some((format!("/{name}"), entry.path()))
        })
        .collect()
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

/// The binary: serve (the default), or run an operator command (`operators`).
pub async fn main() -> ExitCode {
    use clap::Parser;
    let cli = operators::Cli::parse();
    match cli.command {
        None | Some(operators::Command::Serve) => run().await,
        Some(command) => {
            let _ = dotenvy::dotenv();
            operators::main(&command).await
        }
    }
}

/// Start-up: configuration, logging, database, migrations, then serve until SIGINT
/// or SIGTERM, letting in-flight requests finish.
pub async fn run() -> ExitCode {
    let _ = dotenvy::dotenv();
    if let Err(error) = http_log::init_tracing() {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }
    disable_transparent_huge_pages();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let leptos_options = match site::options(|var| std::env::var(var).ok()) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    // Every page links the bundle: check once here rather than serve broken pages.
    let binary = std::env::current_exe().unwrap_or_default();
    if let Err(error) = site::check(&leptos_options, &binary) {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
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
    sweeper::spawn_sweeper(
        db.clone(),
        state.config.login_throttle.window,
        sweeper::SWEEP_EVERY,
    );
    announce_mail(&state.config.mail);
    if state.config.proxies.trust_last_hop {
        tracing::warn!(
            "TRUST_FORWARDED_FOR is deprecated: set TRUSTED_PROXIES to your proxies' addresses \
             or ranges instead (it is read as one proxy whose address is not checked)"
        );
    }
    if let Some(worker) = mail_worker(&state) {
        worker.spawn();
    }
    if let Some(metrics_addr) = state.config.metrics_addr {
        if !metrics_addr.ip().is_loopback() {
            tracing::warn!(%metrics_addr, "METRICS_ADDR listens beyond this machine: let only your Prometheus reach it (a firewall or private network)");
        }
        match tokio::net::TcpListener::bind(metrics_addr).await {
            Ok(listener) => metrics::serve(listener, state.clone()),
            Err(error) => {
                eprintln!("error: cannot listen on {metrics_addr} for metrics: {error}. Set METRICS_ADDR to a free address, or leave it unset.");
                return ExitCode::FAILURE;
            }
        }
    }

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

#[cfg(test)]
mod layer_tests {
    use axum::{
        body::Body,
        http::{header, Request, StatusCode},
        routing::post,
    };
    use http_body_util::BodyExt;
    use leptos::server_fn::error::FromServerFnError;
    use tower::ServiceExt;

    use super::*;
    use crate::error::AppError;

    fn panicking_app() -> Router {
        let config = Config::from_lookup(|var| {
            (var == "DATABASE_URL").then(|| "postgres://app@localhost/app".to_owned())
        })
        .unwrap();
        async fn boom() -> &'static str {
            panic!("secret detail")
        }
        let routes = Router::new().route("/api/boom", post(boom));
        outer_layers(routes, &config)
    }

    async fn answer(accept: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = Request::post("/api/boom")
            .header(header::ACCEPT, accept)
            .body(Body::empty())
            .unwrap();
        let response = panicking_app().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[tokio::test]
    async fn a_panicking_server_function_answers_internal_as_json_with_the_security_headers() {
        let (status, headers, body) = answer("application/json").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(AppError::de(body.clone().into()), AppError::Internal);
        assert!(!body.contains("secret detail"), "{body}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }

    #[tokio::test]
    async fn a_panic_under_a_plain_form_post_answers_a_page() {
        let (status, headers, body) = answer("text/html").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(body.contains("Something went wrong on our side") && !body.contains("secret"));
    }
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
