//! The downloads of all of a person's tasks, as JSON and CSV: plain axum routes
//! behind the same session layer as the pages.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing, Extension, Router,
};

use super::{repo, transfer};
use crate::{error::AppError, identity::CurrentUser, state::AppState, tasks::Task};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks/export.json", routing::get(export_json))
        .route("/tasks/export.csv", routing::get(export_csv))
}

/// All of the signed-in person's tasks, oldest first.
async fn own_tasks(
    state: &AppState,
    user: Option<Extension<CurrentUser>>,
) -> Result<Vec<Task>, AppError> {
    let Some(Extension(CurrentUser(user))) = user else {
        return Err(AppError::Unauthorized);
    };
    state
        .db
        .unit(async |conn| repo::all(conn, user.id).await)
        .await
}

fn download(content_type: &'static str, disposition: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

async fn export_json(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, AppError> {
    let export = transfer::Export::new(own_tasks(&state, user).await?);
    let json = serde_json::to_string_pretty(&export).map_err(|_| AppError::Internal)?;
    Ok(download(
        "application/json",
        "attachment; filename=\"tasks.json\"",
        json,
    ))
}

async fn export_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, AppError> {
    let csv = transfer::to_csv(&own_tasks(&state, user).await?);
    Ok(download(
        "text/csv; charset=utf-8",
        "attachment; filename=\"tasks.csv\"",
        csv,
    ))
}
