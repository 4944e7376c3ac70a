//! The tasks' SQL. Every statement has `user_id = $n`, so someone else's task is
//! indistinguishable from a missing one. Functions take the unit of work's
//! connection, so integration tests can call them directly.

use sqlx::PgConnection;

use super::transfer::ExportedTask;
use crate::{
    error::AppError,
    tasks::{
        domain::{SearchQuery, TaskDescription, TaskTitle},
        Cursor, Filter, Task, TaskPage, PAGE_SIZE,
    },
};

/// A CHECK constraint that caught what the domain types should have: still a field
/// message, never a database error.
fn write_error(error: sqlx::Error) -> AppError {
    let constraint = error
        .as_database_error()
        .and_then(|e| e.constraint())
        .map(str::to_owned);
    match constraint.as_deref() {
        Some("tasks_title_length") => TaskTitle::length_error().into(),
        Some("tasks_description_length") => TaskDescription::length_error().into(),
        _ => error.into(),
    }
}

/// One page, newest first. Reads one row past the page to know whether more
/// follow, and probes the other direction only when a cursor says there may be some.
pub async fn list(
    conn: &mut PgConnection,
    user_id: i64,
    filter: Filter,
    search: Option<&SearchQuery>,
    cursor: Option<Cursor>,
) -> Result<TaskPage, AppError> {
    let mut tasks = fetch_rows(conn, user_id, filter, search, cursor, PAGE_SIZE + 1).await?;
    let more_in_direction = tasks.len() as i64 > PAGE_SIZE;
    tasks.truncate(PAGE_SIZE as usize);
    if matches!(cursor, Some(Cursor::Before(_))) {
        tasks.reverse();
    }

    // A "Previous page" that leads nowhere (everything newer was deleted) shows the
    // first page instead of an empty one.
    if tasks.is_empty() && matches!(cursor, Some(Cursor::Before(_))) {
        return Box::pin(list(conn, user_id, filter, search, None)).await;
    }

    let (next, previous) = match cursor {
        None => (more_in_direction.then(|| last_id(&tasks)).flatten(), None),
        Some(Cursor::After(after)) => {
            let newest_shown = tasks.first().map_or(after, |t| t.id);
            let newer = !fetch_rows(
                conn,
                user_id,
                filter,
                search,
                Some(Cursor::Before(newest_shown)),
                1,
            )
            .await?
            .is_empty();
            (
                more_in_direction.then(|| last_id(&tasks)).flatten(),
                newer.then_some(newest_shown),
            )
        }
        Some(Cursor::Before(_)) => {
            let oldest_shown = last_id(&tasks).unwrap_or(i64::MAX);
            let older = !fetch_rows(
                conn,
                user_id,
                filter,
                search,
                Some(Cursor::After(oldest_shown)),
                1,
            )
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
    let matching = match search {
        Some(search) => Some(count_matching(conn, user_id, filter, search).await?),
        None => None,
    };
    Ok(TaskPage {
        tasks,
        next,
        previous,
        active_count,
        completed_count,
        matching,
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
    search: Option<&SearchQuery>,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Task>, AppError> {
    if let Some(search) = search {
        return fetch_matching(conn, user_id, filter, search, cursor, limit).await;
    }
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

/// Like [`fetch_rows`], of the tasks that match `search`. The filter is a
/// parameter that may be null: each statement is planned for its values (see
/// `db::session_settings`), so the planner drops the test that does not apply.
/// The text searched is the index's expression (migration `task_search`), word
/// for word, or the index is not used.
///
/// All matches are read through that index before the newest are picked
/// (`MATERIALIZED`). Left to itself, the planner cannot tell how many tasks a
/// prefix matches and walks the person's list newest first, checking each task
/// until it has a page: measured with 100,000 tasks, 320 ms for a word in 11 of
/// them, against 0.8 ms this way. The price is the search matching nearly
/// everything ("t", as the first letter is typed): about 100 ms.
async fn fetch_matching(
    conn: &mut PgConnection,
    user_id: i64,
    filter: Filter,
    search: &SearchQuery,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Task>, AppError> {
    let completed = filter.completed();
    let query = search.as_str();
    let rows = match cursor {
        None | Some(Cursor::After(_)) => {
            sqlx::query_as!(
                Task,
                "WITH matching AS MATERIALIZED (
                     SELECT id, title, description, completed FROM tasks
                     WHERE user_id = $1 AND ($2::bool IS NULL OR completed = $2) AND id < $3
                       AND to_tsvector('task_search'::regconfig, title || ' ' || coalesce(description, ''))
                           @@ task_search_query($4))
                 SELECT id AS \"id!\", title AS \"title!\", description, completed AS \"completed!\"
                 FROM matching ORDER BY id DESC LIMIT $5",
                user_id,
                completed as Option<bool>,
                after_id(cursor),
                query,
                limit
            )
            .fetch_all(&mut *conn)
            .await?
        }
        Some(Cursor::Before(before)) => {
            sqlx::query_as!(
                Task,
                "WITH matching AS MATERIALIZED (
                     SELECT id, title, description, completed FROM tasks
                     WHERE user_id = $1 AND ($2::bool IS NULL OR completed = $2) AND id > $3
                       AND to_tsvector('task_search'::regconfig, title || ' ' || coalesce(description, ''))
                           @@ task_search_query($4))
                 SELECT id AS \"id!\", title AS \"title!\", description, completed AS \"completed!\"
                 FROM matching ORDER BY id ASC LIMIT $5",
                user_id,
                completed as Option<bool>,
                before,
                query,
                limit
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows)
}

/// How many of the person's tasks (under `filter`) match `search`.
async fn count_matching(
    conn: &mut PgConnection,
    user_id: i64,
    filter: Filter,
    search: &SearchQuery,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM tasks
           WHERE user_id = $1 AND ($2::bool IS NULL OR completed = $2)
             AND to_tsvector('task_search'::regconfig, title || ' ' || coalesce(description, ''))
                 @@ task_search_query($3)"#,
        user_id,
        filter.completed() as Option<bool>,
        search.as_str()
    )
    .fetch_one(conn)
    .await?)
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

pub async fn get(conn: &mut PgConnection, user_id: i64, id: i64) -> Result<Task, AppError> {
    sqlx::query_as!(
        Task,
        "SELECT id, title, description, completed FROM tasks WHERE id = $1 AND user_id = $2",
        id,
        user_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// A new task, unless the person already has `quota` tasks. The count is read and
/// locked in the same statement (its row in `task_counts`, which the insert's trigger
/// then updates), so two adds racing at the limit cannot both pass it.
pub async fn create(
    conn: &mut PgConnection,
    user_id: i64,
    title: &TaskTitle,
    description: &TaskDescription,
    quota: i64,
) -> Result<Task, AppError> {
    sqlx::query_as!(
        Task,
        "INSERT INTO tasks (user_id, title, description)
         SELECT $1, $2, $3
         WHERE COALESCE((SELECT active + completed FROM task_counts WHERE user_id = $1 FOR UPDATE), 0) < $4
         RETURNING id, title, description, completed",
        user_id,
        title.as_str(),
        description.as_deref(),
        quota
    )
    .fetch_optional(conn)
    .await
    .map_err(write_error)?
    .ok_or_else(|| over_quota("title", quota, 1))
}

/// The answer to an add or import that would take a person past `quota` tasks.
pub fn over_quota(field: &str, quota: i64, adding: usize) -> AppError {
    let limit = crate::tasks::domain::thousands(usize::try_from(quota).unwrap_or(usize::MAX));
    let message = if adding == 1 {
        format!(
            "You have {limit} tasks, the most one person can have. Delete some (\"Clear \
             completed\" helps) to add more."
        )
    } else {
        format!(
            "Importing {} tasks would take you past {limit} tasks, the most one person can \
             have. Delete some first, or import fewer.",
            crate::tasks::domain::thousands(adding)
        )
    };
    AppError::Conflict(crate::validation::FieldError::new(field, message))
}

/// Last write wins: two tabs saving the same task end with the later save.
pub async fn update(
    conn: &mut PgConnection,
    user_id: i64,
    id: i64,
    title: &TaskTitle,
    description: &TaskDescription,
    completed: bool,
) -> Result<Task, AppError> {
    sqlx::query_as!(
        Task,
        "UPDATE tasks SET title = $3, description = $4, completed = $5
         WHERE id = $1 AND user_id = $2
         RETURNING id, title, description, completed",
        id,
        user_id,
        title.as_str(),
        description.as_deref(),
        completed
    )
    .fetch_optional(conn)
    .await
    .map_err(write_error)?
    .ok_or(AppError::NotFound)
}

pub async fn rename(
    conn: &mut PgConnection,
    user_id: i64,
    id: i64,
    title: &TaskTitle,
) -> Result<(), AppError> {
    let renamed = sqlx::query!(
        "UPDATE tasks SET title = $3 WHERE id = $1 AND user_id = $2",
        id,
        user_id,
        title.as_str()
    )
    .execute(conn)
    .await
    .map_err(write_error)?;
    found(renamed.rows_affected())
}

pub async fn set_completed(
    conn: &mut PgConnection,
    user_id: i64,
    id: i64,
    completed: bool,
) -> Result<(), AppError> {
    let updated = sqlx::query!(
        "UPDATE tasks SET completed = $3 WHERE id = $1 AND user_id = $2",
        id,
        user_id,
        completed
    )
    .execute(conn)
    .await?;
    found(updated.rows_affected())
}

pub async fn delete(conn: &mut PgConnection, user_id: i64, id: i64) -> Result<(), AppError> {
    let deleted = sqlx::query!(
        "DELETE FROM tasks WHERE id = $1 AND user_id = $2",
        id,
        user_id
    )
    .execute(conn)
    .await?;
    found(deleted.rows_affected())
}

pub async fn set_all_completed(
    conn: &mut PgConnection,
    user_id: i64,
    completed: bool,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE tasks SET completed = $2 WHERE user_id = $1 AND completed <> $2",
        user_id,
        completed
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear_completed(conn: &mut PgConnection, user_id: i64) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM tasks WHERE user_id = $1 AND completed",
        user_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores every row in one statement, so a failure anywhere stores nothing.
/// Answers how many were stored.
/// Stores every row or none: none when they would take the person past `quota`.
pub async fn import(
    conn: &mut PgConnection,
    user_id: i64,
    rows: Vec<super::transfer::NewTask>,
    quota: i64,
) -> Result<u64, AppError> {
    let adding = rows.len();
    let mut titles = Vec::with_capacity(rows.len());
    let mut descriptions = Vec::with_capacity(rows.len());
    let mut completed = Vec::with_capacity(rows.len());
    let mut created = Vec::with_capacity(rows.len());
    let mut updated = Vec::with_capacity(rows.len());
    for row in rows {
        titles.push(row.title.into_inner());
        descriptions.push(row.description.into_inner());
        completed.push(row.completed);
        created.push(row.created_at);
        updated.push(row.updated_at);
    }
    // A row without times (a v1 file) is new as of now; a restored one keeps its own.
    let inserted = sqlx::query!(
        "INSERT INTO tasks (user_id, title, description, completed, created_at, updated_at)
         SELECT $1, t.title, t.description, t.completed,
                COALESCE(t.created_at, now()), COALESCE(t.updated_at, t.created_at, now())
         FROM unnest($2::text[], $3::text[], $4::bool[], $5::timestamptz[], $6::timestamptz[])
              WITH ORDINALITY AS t(title, description, completed, created_at, updated_at, n)
         WHERE COALESCE((SELECT active + completed FROM task_counts WHERE user_id = $1 FOR UPDATE), 0)
               + cardinality($2::text[]) <= $7
         ORDER BY t.n",
        user_id,
        &titles,
        &descriptions as &[Option<String>],
        &completed,
        &created as &[Option<time::OffsetDateTime>],
        &updated as &[Option<time::OffsetDateTime>],
        quota
    )
    .execute(conn)
    .await
    .map_err(write_error)?;
    if inserted.rows_affected() == 0 {
        return Err(over_quota("file", quota, adding));
    }
    Ok(inserted.rows_affected())
}

/// Up to `limit` of a person's tasks after task `after` (0: from the start), oldest
/// first, for a download that reads them a batch at a time; each with its id.
pub async fn export_batch(
    conn: &mut PgConnection,
    user_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, ExportedTask)>, AppError> {
    let rows = sqlx::query!(
        "SELECT id, title, description, completed, created_at, updated_at FROM tasks
         WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        user_id,
        after,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let task = ExportedTask {
                title: row.title,
                description: row.description,
                completed: row.completed,
                created_at: row.created_at,
                updated_at: row.updated_at,
            };
            (row.id, task)
        })
        .collect())
}

fn found(rows: u64) -> Result<(), AppError> {
    if rows == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

/// Every person's number of tasks (by `user_id`), for operators; people without
/// tasks are absent.
pub async fn task_totals(conn: &mut PgConnection) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let rows = sqlx::query!(r#"SELECT user_id, active + completed AS "total!" FROM task_counts"#)
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.user_id, row.total))
        .collect())
}

/// When the task was created and last changed.
pub async fn times(
    conn: &mut PgConnection,
    user_id: i64,
    id: i64,
) -> Result<(time::OffsetDateTime, time::OffsetDateTime), AppError> {
    let row = sqlx::query!(
        "SELECT created_at, updated_at FROM tasks WHERE id = $1 AND user_id = $2",
        id,
        user_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((row.created_at, row.updated_at))
}
