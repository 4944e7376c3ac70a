//! The import's upload: reading the multipart body, at most `IMPORT_MAX_BYTES` of
//! it, before anything is parsed or stored.

use leptos::server_fn::codec::MultipartData;
use sqlx::PgConnection;

use super::{repo, transfer::parse_import};
use crate::{
    error::AppError,
    identity::require_user,
    state::AppState,
    submissions::{once, Submission},
    tasks::domain::{import_too_large, IMPORT_MAX_BYTES},
};

fn unreadable(error: impl std::fmt::Display) -> AppError {
    AppError::BadRequest {
        detail: format!("the upload could not be read ({error})"),
    }
}

/// Reads the uploaded file (field `file`), checks every row, and stores them all or
/// none; with a submission `key`, once per submission (see `submissions`). Answers
/// how many were imported.
pub async fn import(data: MultipartData) -> Result<u64, AppError> {
    let user = require_user()?;
    let state = AppState::from_context()?;
    let _place = state.bulk.try_start()?;
    let mut multipart = data.into_inner().ok_or(AppError::Internal)?;
    let mut file = Vec::new();
    let mut key = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if file.len() + chunk.len() > IMPORT_MAX_BYTES {
                        return Err(import_too_large().into());
                    }
                    file.extend_from_slice(&chunk);
                }
            }
            // A key is at most 64 bytes; reading stops just past that, and what is
            // longer is refused as malformed.
            Some("key") => {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    text.extend_from_slice(&chunk);
                    if text.len() > 65 {
                        break;
                    }
                }
                key = Some(String::from_utf8_lossy(&text).into_owned());
            }
            _ => {}
        }
    }
    if file.is_empty() {
        return Err(AppError::validation(
            "file",
            "Choose a JSON file exported from Tasklist.",
        ));
    }
    let rows = parse_import(&file).map_err(|message| AppError::validation("file", message))?;
    let submission = Submission::new(key.as_deref(), "import", &[&file])?;
    let quota = state.config.task_quota;
    let import = async |conn: &mut PgConnection| {
        let count = repo::import(conn, user.id, rows, quota).await?;
        Ok((count, i64::try_from(count).unwrap_or(i64::MAX)))
    };
    let again = async |_: &mut PgConnection, count| Ok(u64::try_from(count).unwrap_or_default());
    once(&state.db, user.id, submission, import, again).await
}
