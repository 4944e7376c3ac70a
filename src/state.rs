//! `AppState`: what every handler and server function shares (settings, the
//! database), and how server functions reach it.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::{use_context, LeptosOptions};

use crate::{config::Config, db::Db, error::AppError, mail::Outbox, signing::Signer};

/// Axum state for handlers; Leptos context (`AppState::from_context()`) for server
/// functions and server-rendered components. Features keep their own services
/// (the password hasher, say) in context beside it, so this type names none of them.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// Mail the app promises to send (see `mail`).
    pub outbox: Outbox,
    /// Signs what plain form posts send back to their pages (see `signing`).
    pub signer: Signer,
    /// Room for bulk work (imports, exports), which holds a batch of rows or a file
    /// in memory and a database connection for a while each.
    pub bulk: Bulk,
}

/// At most `BULK_CONCURRENCY` imports and exports at once; beyond, "try again".
#[derive(Clone)]
pub struct Bulk(Arc<tokio::sync::Semaphore>);

impl Bulk {
    pub fn new(at_once: usize) -> Self {
        Self(Arc::new(tokio::sync::Semaphore::new(at_once.max(1))))
    }

    /// A place for one bulk job, held until the permit is dropped; `Unavailable`
    /// (503, "try again in a moment") when every place is taken.
    pub fn try_start(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        Arc::clone(&self.0).try_acquire_owned().map_err(|_| {
            tracing::warn!("every import and export place is taken; answering try again");
            AppError::Unavailable
        })
    }
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        Self {
            leptos_options,
            outbox: Outbox::new(db.clone(), &config.mail),
            signer: Signer::new(db.clone()),
            bulk: Bulk::new(config.bulk_concurrency),
            db,
            config: Arc::new(config),
        }
    }

    /// The state inside a server function or a component rendered on the server.
    pub fn from_context() -> Result<Self, AppError> {
        expect_service()
    }
}

/// A service the server put in the Leptos context, or `Internal` (logged) when it is
/// missing: that is a wiring mistake, never the visitor's.
pub fn expect_service<T: Clone + Send + Sync + 'static>() -> Result<T, AppError> {
    use_context::<T>().ok_or_else(|| {
        tracing::error!(
            service = std::any::type_name::<T>(),
            "missing from the Leptos context"
        );
        AppError::Internal
    })
}
