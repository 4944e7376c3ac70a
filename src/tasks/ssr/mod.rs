//! The server side of tasks: the work behind each server function (who is asking,
//! parse, one unit of work), with the SQL in `repo`, the file formats in
//! `transfer`, and the upload and downloads in `import` and `export`.

mod export;
mod import;
pub mod repo;
pub mod transfer;

pub use export::routes;
pub use import::import;

use sqlx::PgConnection;

use super::{
    domain::{TaskDescription, TaskTitle},
    Cursor, Filter, Task, TaskPage,
};
use crate::{error::AppError, identity::require_user, state::AppState};

/// One unit of work for `user_id`: `work` gets the connection and the id.
async fn unit_for<T>(
    user_id: i64,
    work: impl AsyncFnOnce(&mut PgConnection, i64) -> Result<T, AppError>,
) -> Result<T, AppError> {
    AppState::from_context()?
        .db
        .unit(async |conn| work(conn, user_id).await)
        .await
}

/// One unit of work for the signed-in person (`Unauthorized` for anyone else).
async fn for_user<T>(
    work: impl AsyncFnOnce(&mut PgConnection, i64) -> Result<T, AppError>,
) -> Result<T, AppError> {
    unit_for(require_user()?.id, work).await
}

pub async fn list(filter: Filter, cursor: Option<Cursor>) -> Result<TaskPage, AppError> {
    for_user(async |conn, user| repo::list(conn, user, filter, cursor).await).await
}

pub async fn get(id: i64) -> Result<Task, AppError> {
    for_user(async |conn, user| repo::get(conn, user, id).await).await
}

// Who asks comes first: someone signed out hears "log in", not what is wrong with
// the form they can no longer send.

pub async fn create(title: &str, description: &str) -> Result<Task, AppError> {
    let user = require_user()?;
    let title = TaskTitle::parse(title)?;
    let description = TaskDescription::parse(description)?;
    unit_for(user.id, async |conn, user| {
        repo::create(conn, user, &title, &description).await
    })
    .await
}

pub async fn update(
    id: i64,
    title: &str,
    description: &str,
    completed: bool,
) -> Result<Task, AppError> {
    let title = TaskTitle::parse(title)?;
    let description = TaskDescription::parse(description)?;
    for_user(async |conn, user| repo::update(conn, user, id, &title, &description, completed).await)
        .await
}

pub async fn rename(id: i64, title: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let title = TaskTitle::parse(title)?;
    unit_for(user.id, async |conn, user| {
        repo::rename(conn, user, id, &title).await
    })
    .await
}

pub async fn set_completed(id: i64, completed: bool) -> Result<(), AppError> {
    for_user(async |conn, user| repo::set_completed(conn, user, id, completed).await).await
}

pub async fn delete(id: i64) -> Result<(), AppError> {
    for_user(async |conn, user| repo::delete(conn, user, id).await).await
}

pub async fn set_all_completed(completed: bool) -> Result<(), AppError> {
    for_user(async |conn, user| repo::set_all_completed(conn, user, completed).await).await
}

pub async fn clear_completed() -> Result<(), AppError> {
    for_user(async |conn, user| repo::clear_completed(conn, user).await).await
}
