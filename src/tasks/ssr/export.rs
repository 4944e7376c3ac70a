//! The downloads of all of a person's tasks, as JSON (`tasklist/v2`) and CSV: plain
//! axum routes behind the same session layer as the pages. The body is written as
//! the rows are read, a batch at a time, each batch its own short unit of work: the
//! server holds one batch, not the whole list, and no connection for the length of
//! a slow download.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing, Extension, Router,
};
use futures_util::{stream, StreamExt};

use super::{repo, transfer};
use crate::{error::AppError, identity::CurrentUser, state::AppState};

/// Tasks read per unit of work while a download is written.
const BATCH: i64 = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks/export.json", routing::get(export_json))
        .route("/tasks/export.csv", routing::get(export_csv))
}

/// How the rows of one format are written.
#[derive(Clone, Copy)]
enum Format {
    Json,
    Csv,
}

impl Format {
    fn head(self) -> Vec<u8> {
        match self {
            Self::Json => transfer::json_head().into_bytes(),
            Self::Csv => transfer::csv_head(),
        }
    }

    fn row(self, task: &transfer::ExportedTask, first: bool) -> Vec<u8> {
        match self {
            Self::Json => transfer::json_row(task, first).into_bytes(),
            Self::Csv => transfer::csv_row(task),
        }
    }

    fn tail(self) -> Vec<u8> {
        match self {
            Self::Json => transfer::json_tail().as_bytes().to_vec(),
            Self::Csv => Vec::new(),
        }
    }
}

/// Where a download is: the head is out, rows after `after` are next.
struct Cursor {
    after: i64,
    first: bool,
    done: bool,
}

/// The download's body: the head at once (the status is already sent, so a fault
/// later can only cut the download short: it is logged, and the client sees an
/// incomplete file rather than a wrong one), then a chunk per batch, then the tail.
/// `permit`: this download's place among the bulk jobs, given back when the body
/// ends (or the client hangs up and the body is dropped).
fn body(
    state: AppState,
    user_id: i64,
    format: Format,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Body {
    let head = stream::once(async move { Ok::<_, AppError>(Bytes::from(format.head())) });
    let start = Cursor {
        after: 0,
        first: true,
        done: false,
    };
    let rows = stream::unfold(
        (state, start, permit),
        move |(state, cursor, permit)| async move {
            if cursor.done {
                return None;
            }
            let batch = state
                .db
                .unit(async |conn| repo::export_batch(conn, user_id, cursor.after, BATCH).await)
                .await;
            let batch = match batch {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::warn!(%error, "an export was cut short");
                    let stop = Cursor {
                        done: true,
                        ..cursor
                    };
                    return Some((Err(error), (state, stop, permit)));
                }
            };
            let mut chunk = Vec::new();
            let mut first = cursor.first;
            for (_, task) in &batch {
                chunk.extend(format.row(task, first));
                first = false;
            }
            let done = batch.len() < usize::try_from(BATCH).unwrap_or(usize::MAX);
            if done {
                chunk.extend(format.tail());
            }
            let after = batch.last().map_or(cursor.after, |(id, _)| *id);
            Some((
                Ok(Bytes::from(chunk)),
                (state, Cursor { after, first, done }, permit),
            ))
        },
    );
    // Fused: the compression layer may poll once more after the end, and `unfold`
    // panics when polled past its end (futures-util 0.3.34).
    Body::from_stream(head.chain(rows).fuse())
}

fn download(
    state: AppState,
    user: Option<Extension<CurrentUser>>,
    format: Format,
) -> Result<Response, AppError> {
    let Some(Extension(CurrentUser(user))) = user else {
        return Err(AppError::Unauthorized);
    };
    let permit = state.bulk.try_start()?;
    let (content_type, disposition) = match format {
        Format::Json => ("application/json", "attachment; filename=\"tasks.json\""),
        Format::Csv => (
            "text/csv; charset=utf-8",
            "attachment; filename=\"tasks.csv\"",
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body(state, user.id, format, permit),
    )
        .into_response())
}

async fn export_json(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, AppError> {
    download(state, user, Format::Json)
}

async fn export_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, AppError> {
    download(state, user, Format::Csv)
}
