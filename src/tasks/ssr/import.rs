//! The import's upload: reading the multipart body, at most `IMPORT_MAX_BYTES` of
//! it, before anything is parsed or stored.

use leptos::server_fn::codec::MultipartData;

use super::{repo, transfer::parse_import};
use crate::{
    error::AppError,
    identity::require_user,
    state::AppState,
    tasks::domain::{import_too_large, IMPORT_MAX_BYTES},
};

fn unreadable(error: impl std::fmt::Display) -> AppError {
    AppError::BadRequest {
        detail: format!("the upload could not be read ({error})"),
    }
}

/// Reads the uploaded file (field `file`), checks every row, and stores them all or
/// none. Answers how many were imported.
pub async fn import(data: MultipartData) -> Result<u64, AppError> {
    let user = require_user()?;
    let state = AppState::from_context()?;
    let _place = state.bulk.try_start()?;
    let mut multipart = data.into_inner().ok_or(AppError::Internal)?;
    let mut file = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if file.len() + chunk.len() > IMPORT_MAX_BYTES {
                return Err(import_too_large().into());
            }
            file.extend_from_slice(&chunk);
        }
    }
    if file.is_empty() {
        return Err(AppError::validation(
            "file",
            "Choose a JSON file exported from Tasklist.",
        ));
    }
    let rows = parse_import(&file).map_err(|message| AppError::validation("file", message))?;
    let quota = state.config.task_quota;
    state
        .db
        .unit(async |conn| repo::import(conn, user.id, rows, quota).await)
        .await
}
