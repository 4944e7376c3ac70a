//! Tasks: each person's own list. Shared by both builds: the domain types, the
//! server functions' signatures, and the islands people interact with; the pages
//! around them and everything in `ssr` exist on the server only. Every server
//! function takes the person from the session; someone else's task behaves exactly
//! like a missing one.

pub mod domain;
pub mod islands;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, MultipartData, MultipartFormData};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::forms::{
    redirect_back_without, redirect_plain_form, redirect_plain_form_noting, respond,
};

/// Tasks per page of the list.
pub const PAGE_SIZE: i64 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
}

/// Which tasks the list shows; `?filter=` in the URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Filter {
    #[default]
    All,
    Active,
    Completed,
}

impl Filter {
    pub fn from_query(value: Option<&str>) -> Self {
        match value {
            Some("active") => Self::Active,
            Some("completed") => Self::Completed,
            _ => Self::All,
        }
    }

    pub fn as_query(self) -> Option<&'static str> {
        match self {
            Self::All => None,
            Self::Active => Some("active"),
            Self::Completed => Some("completed"),
        }
    }

    /// The one `completed` value this filter lets through, or None for all.
    pub fn completed(self) -> Option<bool> {
        match self {
            Self::All => None,
            Self::Active => Some(false),
            Self::Completed => Some(true),
        }
    }
}

/// Where a page starts: after (older than) or before (newer than) a task id. Ids
/// grow with creation, so this keyset cursor stays right while tasks are added,
/// and page 200 costs what page 1 costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cursor {
    After(i64),
    Before(i64),
}

/// The list's place in the URL: filter and page cursor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub filter: Filter,
    pub after: Option<i64>,
    pub before: Option<i64>,
}

impl Position {
    pub fn with_filter(filter: Filter) -> Self {
        Self {
            filter,
            ..Self::default()
        }
    }

    pub fn cursor(self) -> Option<Cursor> {
        match (self.after, self.before) {
            (Some(id), _) => Some(Cursor::After(id)),
            (None, Some(id)) => Some(Cursor::Before(id)),
            (None, None) => None,
        }
    }

    pub fn is_first_page(self) -> bool {
        self.after.is_none() && self.before.is_none()
    }

    /// The query pairs that name this position, in URL order.
    pub fn pairs(self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(filter) = self.filter.as_query() {
            pairs.push(("filter", filter.to_owned()));
        }
        if let Some(after) = self.after {
            pairs.push(("after", after.to_string()));
        }
        if let Some(before) = self.before {
            pairs.push(("before", before.to_string()));
        }
        pairs
    }

    /// The query pairs of this position in the results of search `q` (the whole
    /// list when it is blank).
    pub fn pairs_searching(self, q: &str) -> Vec<(&'static str, String)> {
        let mut pairs = self.pairs();
        if !q.trim().is_empty() {
            pairs.push(("q", q.to_owned()));
        }
        pairs
    }

    /// The list's URL at this position.
    pub fn href(self) -> String {
        self.href_searching("")
    }

    /// The list's URL at this position in the results of search `q`.
    pub fn href_searching(self, q: &str) -> String {
        let pairs = self.pairs_searching(q);
        if pairs.is_empty() {
            return "/".to_owned();
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("/?{query}")
    }
}

/// One page of the list, with what the rest of the page needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPage {
    pub tasks: Vec<Task>,
    /// Cursor for "Next page" (older tasks), when there are any.
    pub next: Option<i64>,
    /// Cursor for "Previous page" (newer tasks), when there are any.
    pub previous: Option<i64>,
    /// Across all of the person's tasks, whatever the filter and page.
    pub active_count: i64,
    pub completed_count: i64,
    /// With a search: how many tasks (under the filter) match it, on every page.
    pub matching: Option<i64>,
}

/// `q`: a search (see `domain::SearchQuery`); none or blank for the whole list.
#[server(endpoint = "tasks/list", input = GetUrl)]
pub async fn list_tasks(
    filter: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    q: Option<String>,
) -> Result<TaskPage, AppError> {
    let position = Position {
        filter: Filter::from_query(filter.as_deref()),
        after,
        before,
    };
    let page = ssr::list(
        position.filter,
        q.as_deref().unwrap_or(""),
        position.cursor(),
    )
    .await;
    respond::<ListTasks, _>(page, &[])
}

#[server(endpoint = "tasks/get", input = GetUrl)]
pub async fn get_task(id: i64) -> Result<Task, AppError> {
    respond::<GetTask, _>(ssr::get(id).await, &[])
}

/// `key`: the form's submission key (see `submissions`); the same submission sent
/// again is answered with the task the first one created.
#[server(endpoint = "tasks/create")]
pub async fn create_task(
    title: String,
    description: Option<String>,
    key: Option<String>,
) -> Result<Task, AppError> {
    let description = description.unwrap_or_default();
    let result = ssr::create(&title, &description, key.as_deref()).await;
    if result.is_ok() {
        // Back to the list with empty boxes, even if a failed try put text in the URL.
        redirect_back_without(&["title", "description"]);
    }
    respond::<CreateTask, _>(result, &[("title", &title), ("description", &description)])
}

/// The task page's form: title, description and completed at once. An unchecked
/// checkbox sends nothing, hence `Option`.
#[server(endpoint = "tasks/update")]
pub async fn update_task(
    id: i64,
    title: String,
    description: Option<String>,
    completed: Option<String>,
) -> Result<Task, AppError> {
    let description = description.unwrap_or_default();
    let result = ssr::update(id, &title, &description, completed.is_some()).await;
    if result.is_ok() {
        redirect_plain_form_noting(&format!("/tasks/{id}"), ("saved", "1"));
    }
    respond::<UpdateTask, _>(result, &[])
}

/// The list's inline edit: the title only.
#[server(endpoint = "tasks/rename")]
pub async fn rename_task(id: i64, title: String) -> Result<(), AppError> {
    let result = ssr::rename(id, &title).await;
    if result.is_ok() {
        // Without JavaScript, "Edit" is a GET of the item's form, which also sends
        // the item's `id`: leave both behind.
        redirect_back_without(&["edit", "id"]);
    }
    respond::<RenameTask, _>(result, &[])
}

/// Sets (rather than flips) the state, so a repeated click cannot undo itself.
#[server(endpoint = "tasks/set-completed")]
pub async fn set_task_completed(id: i64, completed: bool) -> Result<(), AppError> {
    respond::<SetTaskCompleted, _>(ssr::set_completed(id, completed).await, &[])
}

/// `back`: where a plain form post returns afterwards (the task page's own URL is
/// gone once the task is).
#[server(endpoint = "tasks/delete")]
pub async fn delete_task(id: i64, back: Option<String>) -> Result<(), AppError> {
    let result = ssr::delete(id).await;
    if result.is_ok() {
        if let Some(back) = back.as_deref().and_then(crate::validation::safe_next_path) {
            redirect_plain_form(&back);
        }
    }
    respond::<DeleteTask, _>(result, &[])
}

#[server(endpoint = "tasks/set-all-completed")]
pub async fn set_all_completed(completed: bool) -> Result<(), AppError> {
    respond::<SetAllCompleted, _>(ssr::set_all_completed(completed).await, &[])
}

#[server(endpoint = "tasks/clear-completed")]
pub async fn clear_completed() -> Result<(), AppError> {
    respond::<ClearCompleted, _>(ssr::clear_completed().await, &[])
}

/// Imports a JSON file (the export format) as new tasks: every row is checked first,
/// and either all are stored or none. Answers how many were imported.
#[server(endpoint = "tasks/import", input = MultipartFormData)]
pub async fn import_tasks(data: MultipartData) -> Result<u64, AppError> {
    let result = ssr::import(data).await;
    if let Ok(count) = &result {
        redirect_plain_form_noting("/account", ("imported", &count.to_string()));
    }
    respond::<ImportTasks, _>(result, &[])
}
