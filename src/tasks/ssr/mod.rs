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
    domain::{SearchQuery, TaskDescription, TaskTitle},
    Cursor, Filter, Task, TaskPage,
};
use crate::{
    error::AppError,
    identity::require_user,
    moment::Moment,
    state::AppState,
    submissions::{once, Submission},
};

/// One unit of work on the shared pool. Every function below takes the person
/// first (`require_user`), before it looks at the form: someone signed out hears
/// "log in", not what is wrong with a form they can no longer send.
async fn unit<T>(
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    AppState::from_context()?.db.unit(work).await
}

/// One page of the list, of the tasks matching `search` when it has words in it.
pub async fn list(
    filter: Filter,
    search: &str,
    cursor: Option<Cursor>,
) -> Result<TaskPage, AppError> {
    let user = require_user()?;
    let search = SearchQuery::parse(search)?;
    unit(async |conn| repo::list(conn, user.id, filter, search.as_ref(), cursor).await).await
}

pub async fn get(id: i64) -> Result<Task, AppError> {
    let user = require_user()?;
    unit(async |conn| repo::get(conn, user.id, id).await).await
}

/// The task, and when it was created and last changed (for its page).
pub async fn get_with_times(id: i64) -> Result<(Task, Moment, Moment), AppError> {
    let user = require_user()?;
    unit(async |conn| {
        let task = repo::get(conn, user.id, id).await?;
        let (created, changed) = repo::times(conn, user.id, id).await?;
        Ok((task, Moment::of(created), Moment::of(changed)))
    })
    .await
}

/// A new task; with a submission `key`, at most one per submission (see
/// `submissions`).
pub async fn create(title: &str, description: &str, key: Option<&str>) -> Result<Task, AppError> {
    let user = require_user()?;
    let title = TaskTitle::parse(title)?;
    let description = TaskDescription::parse(description)?;
    let sent = [title.as_str(), description.as_deref().unwrap_or("")].map(str::as_bytes);
    let submission = Submission::new(key, "create", &sent)?;
    let state = AppState::from_context()?;
    let quota = state.config.task_quota;
    let create = async |conn: &mut PgConnection| {
        let task = repo::create(conn, user.id, &title, &description, quota).await?;
        let id = task.id;
        Ok((task, id))
    };
    let again = async |conn: &mut PgConnection, id| repo::get(conn, user.id, id).await;
    once(&state.db, user.id, submission, create, again).await
}

pub async fn update(
    id: i64,
    title: &str,
    description: &str,
    completed: bool,
) -> Result<Task, AppError> {
    let user = require_user()?;
    let title = TaskTitle::parse(title)?;
    let description = TaskDescription::parse(description)?;
    unit(async |conn| repo::update(conn, user.id, id, &title, &description, completed).await).await
}

pub async fn rename(id: i64, title: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let title = TaskTitle::parse(title)?;
    unit(async |conn| repo::rename(conn, user.id, id, &title).await).await
}

pub async fn set_completed(id: i64, completed: bool) -> Result<(), AppError> {
    let user = require_user()?;
    unit(async |conn| repo::set_completed(conn, user.id, id, completed).await).await
}

pub async fn delete(id: i64) -> Result<(), AppError> {
    let user = require_user()?;
    unit(async |conn| repo::delete(conn, user.id, id).await).await
}

pub async fn set_all_completed(completed: bool) -> Result<(), AppError> {
    let user = require_user()?;
    unit(async |conn| repo::set_all_completed(conn, user.id, completed).await).await
}

pub async fn clear_completed() -> Result<(), AppError> {
    let user = require_user()?;
    unit(async |conn| repo::clear_completed(conn, user.id).await).await
}
