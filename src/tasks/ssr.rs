//! The server side of tasks: SQL, always scoped to the signed-in person, and the
//! export downloads. Every statement has `user_id = $n`, so someone else's task is
//! indistinguishable from a missing one.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing, Extension, Router,
};
use sqlx::PgConnection;

use super::{
    domain::{TaskDescription, TaskTitle},
    Cursor, Filter, Task, TaskPage, PAGE_SIZE,
};
use crate::{
    auth::ssr::{require_user, CurrentUser},
    error::AppError,
    server::{db::Conn, AppState},
};

async fn conn() -> Result<Conn, AppError> {
    Ok(AppState::from_context()?.db.conn().await?)
}

/// A CHECK constraint that caught what the domain types should have: still a field
/// message, never a database error.
fn write_error(error: sqlx::Error) -> AppError {
    let constraint = error
        .as_database_error()
        .and_then(|e| e.constraint())
        .map(str::to_owned);
    match constraint.as_deref() {
        Some("tasks_title_length") => {
            AppError::validation("title", "Title must be 1 to 200 characters.")
        }
        Some("tasks_description_length") => AppError::validation(
            "description",
            "Description must be at most 1000 characters.",
        ),
        _ => error.into(),
    }
}

pub async fn list(filter: Filter, cursor: Option<Cursor>) -> Result<TaskPage, AppError> {
    let user = require_user()?;
    let mut conn = conn().await?;
    let page = list_for(&mut conn, user.id, filter, cursor).await?;
    conn.finish().await?;
    Ok(page)
}

/// One page, newest first. Reads one row past the page to know whether more
/// follow, and probes the other direction only when a cursor says there may be some.
pub async fn list_for(
    conn: &mut PgConnection,
    user_id: i64,
    filter: Filter,
    cursor: Option<Cursor>,
) -> Result<TaskPage, AppError> {
    let mut tasks = fetch_rows(conn, user_id, filter, cursor, PAGE_SIZE + 1).await?;
    let more_in_direction = tasks.len() as i64 > PAGE_SIZE;
    tasks.truncate(PAGE_SIZE as usize);
    if matches!(cursor, Some(Cursor::Before(_))) {
        tasks.reverse();
    }

    // A "Previous page" that leads nowhere (everything newer was deleted) shows the
    // first page instead of an empty one.
    if tasks.is_empty() && matches!(cursor, Some(Cursor::Before(_))) {
        return Box::pin(list_for(conn, user_id, filter, None)).await;
    }

    let (next, previous) = match cursor {
        None => (more_in_direction.then(|| last_id(&tasks)).flatten(), None),
        Some(Cursor::After(after)) => {
            let newest_shown = tasks.first().map_or(after, |t| t.id);
            let newer = !fetch_rows(conn, user_id, filter, Some(Cursor::Before(newest_shown)), 1)
                .await?
                .is_empty();
            (
                more_in_direction.then(|| last_id(&tasks)).flatten(),
                newer.then_some(newest_shown),
            )
        }
        Some(Cursor::Before(_)) => {
            let oldest_shown = last_id(&tasks).unwrap_or(i64::MAX);
            let older = !fetch_rows(conn, user_id, filter, Some(Cursor::After(oldest_shown)), 1)
                .await?
                .is_empty();
            (
                older.then_some(oldest_shown),
                more_in_direction
                    .then(|| tasks.first().map(|t| t.id))
                    .flatten(),
            )
        }
    };
    let counts = sqlx::query!(
        "SELECT active, completed FROM task_counts WHERE user_id = $1",
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (active_count, completed_count) = counts.map_or((0, 0), |c| (c.active, c.completed));
    Ok(TaskPage {
        tasks,
        next,
        previous,
        active_count,
        completed_count,
    })
}

/// Up to `limit` rows from the cursor on, in the order read (newest first after a
/// cursor, oldest first before one); with a limit of 1 it answers "are there any
/// more that way?" by the same index walk. "All" and the filters are separate
/// statements: `completed = $n` lets the (user_id, completed, id) index hand rows
/// over in id order, which `completed = ANY(...)` cannot before PostgreSQL 17.
/// Either way a deep page costs what the first page costs.
async fn fetch_rows(
    conn: &mut PgConnection,
    user_id: i64,
    filter: Filter,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Task>, AppError> {
    let rows = match (filter.completed(), cursor) {
        (None, None | Some(Cursor::After(_))) => {
            let after = after_id(cursor);
            sqlx::query_as!(
                Task,
                "SELECT id, title, description, completed FROM tasks
                 WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                user_id,
                after,
                limit
            )
            .fetch_all(&mut *conn)
            .await?
        }
        (Some(completed), None | Some(Cursor::After(_))) => {
            let after = after_id(cursor);
            sqlx::query_as!(
                Task,
                "SELECT id, title, description, completed FROM tasks
                 WHERE user_id = $1 AND completed = $2 AND id < $3 ORDER BY id DESC LIMIT $4",
                user_id,
                completed,
                after,
                limit
            )
            .fetch_all(&mut *conn)
            .await?
        }
        (None, Some(Cursor::Before(before))) => {
            sqlx::query_as!(
                Task,
                "SELECT id, title, description, completed FROM tasks
             WHERE user_id = $1 AND id > $2 ORDER BY id ASC LIMIT $3",
                user_id,
                before,
                limit
            )
            .fetch_all(&mut *conn)
            .await?
        }
        (Some(completed), Some(Cursor::Before(before))) => {
            sqlx::query_as!(
                Task,
                "SELECT id, title, description, completed FROM tasks
             WHERE user_id = $1 AND completed = $2 AND id > $3 ORDER BY id ASC LIMIT $4",
                user_id,
                completed,
                before,
                limit
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows)
}

fn after_id(cursor: Option<Cursor>) -> i64 {
    match cursor {
        Some(Cursor::After(id)) => id,
        _ => i64::MAX,
    }
}

fn last_id(tasks: &[Task]) -> Option<i64> {
    tasks.last().map(|t| t.id)
}

pub async fn get(id: i64) -> Result<Task, AppError> {
    let user = require_user()?;
    let mut conn = conn().await?;
    let task = sqlx::query_as!(
        Task,
        "SELECT id, title, description, completed FROM tasks WHERE id = $1 AND user_id = $2",
        id,
        user.id
    )
    .fetch_optional(&mut *conn)
    .await?;
    conn.finish().await?;
    task.ok_or(AppError::NotFound)
}

pub async fn create(title: &str, description: &str) -> Result<Task, AppError> {
    let user = require_user()?;
    let title = TaskTitle::parse(title)?;
    let description = TaskDescription::parse(description)?;
    let mut conn = conn().await?;
    let task = sqlx::query_as!(
        Task,
        "INSERT INTO tasks (user_id, title, description) VALUES ($1, $2, $3)
         RETURNING id, title, description, completed",
        user.id,
        title.as_str(),
        description.as_deref()
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(write_error)?;
    conn.finish().await?;
    Ok(task)
}

/// Last write wins: two tabs saving the same task end with the later save.
pub async fn update(
    id: i64,
    title: &str,
    description: &str,
    completed: bool,
) -> Result<Task, AppError> {
    let user = require_user()?;
    let title = TaskTitle::parse(title)?;
    let description = TaskDescription::parse(description)?;
    let mut conn = conn().await?;
    let task = sqlx::query_as!(
        Task,
        "UPDATE tasks SET title = $3, description = $4, completed = $5
         WHERE id = $1 AND user_id = $2
         RETURNING id, title, description, completed",
        id,
        user.id,
        title.as_str(),
        description.as_deref(),
        completed
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(write_error)?;
    conn.finish().await?;
    task.ok_or(AppError::NotFound)
}

pub async fn rename(id: i64, title: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let title = TaskTitle::parse(title)?;
    let mut conn = conn().await?;
    let renamed = sqlx::query!(
        "UPDATE tasks SET title = $3 WHERE id = $1 AND user_id = $2",
        id,
        user.id,
        title.as_str()
    )
    .execute(&mut *conn)
    .await
    .map_err(write_error)?;
    conn.finish().await?;
    found(renamed.rows_affected())
}

pub async fn set_completed(id: i64, completed: bool) -> Result<(), AppError> {
    let user = require_user()?;
    let mut conn = conn().await?;
    let updated = sqlx::query!(
        "UPDATE tasks SET completed = $3 WHERE id = $1 AND user_id = $2",
        id,
        user.id,
        completed
    )
    .execute(&mut *conn)
    .await?;
    conn.finish().await?;
    found(updated.rows_affected())
}

pub async fn delete(id: i64) -> Result<(), AppError> {
    let user = require_user()?;
    let mut conn = conn().await?;
    let deleted = sqlx::query!(
        "DELETE FROM tasks WHERE id = $1 AND user_id = $2",
        id,
        user.id
    )
    .execute(&mut *conn)
    .await?;
    conn.finish().await?;
    found(deleted.rows_affected())
}

pub async fn set_all_completed(completed: bool) -> Result<(), AppError> {
    let user = require_user()?;
    let mut conn = conn().await?;
    sqlx::query!(
        "UPDATE tasks SET completed = $2 WHERE user_id = $1 AND completed <> $2",
        user.id,
        completed
    )
    .execute(&mut *conn)
    .await?;
    Ok(conn.finish().await?)
}

pub async fn clear_completed() -> Result<(), AppError> {
    let user = require_user()?;
    let mut conn = conn().await?;
    sqlx::query!(
        "DELETE FROM tasks WHERE user_id = $1 AND completed",
        user.id
    )
    .execute(&mut *conn)
    .await?;
    Ok(conn.finish().await?)
}

fn found(rows: u64) -> Result<(), AppError> {
    if rows == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

fn unreadable(error: impl std::fmt::Display) -> AppError {
    AppError::BadRequest {
        detail: format!("the upload could not be read ({error})"),
    }
}

/// Reads the uploaded file (field `file`), at most `IMPORT_MAX_BYTES` of it, and
/// stores its rows in one statement, so a failure anywhere stores nothing.
pub async fn import(data: leptos::server_fn::codec::MultipartData) -> Result<u64, AppError> {
    use super::transfer::{parse_import, IMPORT_MAX_BYTES};
    let user = require_user()?;
    let mut multipart = data.into_inner().ok_or(AppError::Internal)?;
    let too_large = || {
        AppError::validation(
            "file",
            format!("The file is larger than {} KiB.", IMPORT_MAX_BYTES / 1024),
        )
    };
    let mut file = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if file.len() + chunk.len() > IMPORT_MAX_BYTES {
                return Err(too_large());
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
    let mut titles = Vec::with_capacity(rows.len());
    let mut descriptions = Vec::with_capacity(rows.len());
    let mut completed = Vec::with_capacity(rows.len());
    for row in rows {
        titles.push(row.title.into_inner());
        descriptions.push(row.description.into_inner());
        completed.push(row.completed);
    }
    let mut conn = conn().await?;
    let inserted = sqlx::query!(
        "INSERT INTO tasks (user_id, title, description, completed)
         SELECT $1, t.title, t.description, t.completed
         FROM unnest($2::text[], $3::text[], $4::bool[]) WITH ORDINALITY AS t(title, description, completed, n)
         ORDER BY t.n",
        user.id,
        &titles,
        &descriptions as &[Option<String>],
        &completed
    )
    .execute(&mut *conn)
    .await
    .map_err(write_error)?;
    conn.finish().await?;
    Ok(inserted.rows_affected())
}

/// The downloads, behind the same session layer as the pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks/export.json", routing::get(export_json))
        .route("/tasks/export.csv", routing::get(export_csv))
}

/// All of the signed-in person's tasks, oldest first, for a download.
async fn own_tasks(
    state: &AppState,
    user: Option<Extension<CurrentUser>>,
) -> Result<Vec<Task>, AppError> {
    let Some(Extension(CurrentUser(user))) = user else {
        return Err(AppError::Unauthorized);
    };
    let mut conn = state.db.conn().await?;
    let tasks = sqlx::query_as!(
        Task,
        "SELECT id, title, description, completed FROM tasks WHERE user_id = $1 ORDER BY id",
        user.id
    )
    .fetch_all(&mut *conn)
    .await?;
    conn.finish().await?;
    Ok(tasks)
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
    let export = super::transfer::Export::new(own_tasks(&state, user).await?);
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
    let csv = super::transfer::to_csv(&own_tasks(&state, user).await?);
    Ok(download(
        "text/csv; charset=utf-8",
        "attachment; filename=\"tasks.csv\"",
        csv,
    ))
}
