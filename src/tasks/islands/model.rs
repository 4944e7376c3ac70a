//! The list's state and the actions on it: every action changes the state at once
//! and undoes exactly that change, with the server's error, if the server refuses.

use std::{future::Future, time::Duration};

use leptos::{prelude::*, task::spawn_local};

use crate::{
    error::AppError,
    tasks::{
        clear_completed, delete_task, list_tasks, rename_task, set_all_completed,
        set_task_completed, Filter, Position, Task, TaskPage, PAGE_SIZE,
    },
};

/// One task as the list shows it. `busy` while the server saves a change to it.
#[derive(Clone, Copy)]
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) title: RwSignal<String>,
    pub(super) completed: RwSignal<bool>,
    pub(super) busy: RwSignal<bool>,
    pub(super) editing: RwSignal<bool>,
}

impl Row {
    fn new(task: Task, editing: bool) -> Self {
        Self {
            id: task.id,
            title: RwSignal::new(task.title),
            completed: RwSignal::new(task.completed),
            busy: RwSignal::new(false),
            editing: RwSignal::new(editing),
        }
    }
}

/// The list's state, shared by the whole island. The counts cover all of the
/// person's tasks (every page), `rows` only this page's, as the filter lets them.
#[derive(Clone, Copy)]
pub(super) struct Board {
    pub(super) rows: RwSignal<Vec<Row>>,
    pub(super) active: RwSignal<i64>,
    pub(super) completed: RwSignal<i64>,
    pub(super) next: RwSignal<Option<i64>>,
    /// List-wide actions in flight.
    working: RwSignal<u32>,
    /// The island's owner: rows made later (a new task, a reload) belong to it, not
    /// to the effect or task that made them, which would dispose them on its next run.
    owner: StoredValue<Owner>,
    pub(super) error: RwSignal<Option<AppError>>,
    /// Where the list is: its filter and page. A search goes back to the first page.
    pub(super) position: RwSignal<Position>,
    pub(super) previous: RwSignal<Option<i64>>,
    /// What the list is searched for (`?q=`); blank for the whole list.
    pub(super) query: RwSignal<String>,
    /// With a search: how many tasks match it, on every page.
    pub(super) matching: RwSignal<Option<i64>>,
    /// Numbers each fetch of the page, so that an answer overtaken by a later one
    /// (a slow search while the person kept typing) is dropped.
    fetches: StoredValue<u32>,
    /// The search waiting for the person to stop typing.
    pending: StoredValue<Option<TimeoutHandle>>,
}

/// How long the person must stop typing before the list searches.
const SEARCH_AFTER: Duration = Duration::from_millis(250);

impl Board {
    pub(super) fn new(
        page: TaskPage,
        position: Position,
        query: String,
        editing: Option<i64>,
        error: Option<AppError>,
    ) -> Self {
        Self {
            rows: RwSignal::new(
                page.tasks
                    .into_iter()
                    .map(|task| {
                        let edit = editing == Some(task.id);
                        Row::new(task, edit)
                    })
                    .collect(),
            ),
            active: RwSignal::new(page.active_count),
            completed: RwSignal::new(page.completed_count),
            next: RwSignal::new(page.next),
            working: RwSignal::new(0),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            error: RwSignal::new(error),
            position: RwSignal::new(position),
            previous: RwSignal::new(page.previous),
            query: RwSignal::new(query),
            matching: RwSignal::new(page.matching),
            fetches: StoredValue::new(0),
            pending: StoredValue::new(None),
        }
    }

    /// The list's URL as it is now.
    pub(super) fn href(&self) -> String {
        self.position
            .get_untracked()
            .href_searching(&self.query.get_untracked())
    }

    pub(super) fn filter(&self) -> Filter {
        self.position.get_untracked().filter
    }

    /// Searches for `q` once the person has stopped typing for a moment.
    pub(super) fn search_soon(self, q: String) {
        self.cancel_pending_search();
        let handle = set_timeout_with_handle(move || self.search(q), SEARCH_AFTER).ok();
        self.pending.set_value(handle);
    }

    /// Shows the first page of the tasks matching `q` (of all of them, when blank),
    /// under the same filter, and puts the search in the address bar.
    pub(super) fn search(self, q: String) {
        self.cancel_pending_search();
        if q.trim() == self.query.get_untracked().trim() {
            return;
        }
        self.query.set(q);
        self.position.set(Position::with_filter(self.filter()));
        let href = self.href();
        let _ = window().history().and_then(|history| {
            history.replace_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(&href))
        });
        self.reload();
    }

    fn cancel_pending_search(&self) {
        if let Some(handle) = self.pending.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    }

    /// Whether a list-wide action is in flight (the list shows it as busy).
    pub(super) fn is_working(&self) -> bool {
        self.working.get() > 0
    }

    fn row(&self, task: Task) -> Row {
        self.owner
            .with_value(|owner| owner.with(|| Row::new(task, false)))
    }

    /// Whether the current filter shows a task in this state.
    fn shows(&self, completed: bool) -> bool {
        self.filter()
            .completed()
            .is_none_or(|wanted| wanted == completed)
    }

    /// Counts `n` more (or, negative, fewer) tasks in this state.
    fn count(&self, completed: bool, n: i64) {
        let counter = if completed {
            self.completed
        } else {
            self.active
        };
        counter.update(|count| *count += n);
    }

    /// Takes a row off the page; answers where it was, to put it back.
    fn take(&self, id: i64) -> Option<usize> {
        let index = self
            .rows
            .with_untracked(|rows| rows.iter().position(|r| r.id == id))?;
        self.rows.update(|rows| {
            rows.remove(index);
        });
        Some(index)
    }

    fn put_back(&self, row: Row, index: Option<usize>) {
        if let Some(index) = index {
            self.rows.update(|rows| {
                if !rows.iter().any(|r| r.id == row.id) {
                    rows.insert(index.min(rows.len()), row);
                }
            });
        }
    }

    /// Sends a change to the server; `undo` puts the page back if it refuses.
    fn save(
        self,
        row: Option<Row>,
        call: impl Future<Output = Result<(), AppError>> + 'static,
        undo: impl FnOnce() + 'static,
    ) {
        match row {
            Some(row) => row.busy.set(true),
            None => self.working.update(|n| *n += 1),
        }
        spawn_local(async move {
            let result = call.await;
            match row {
                Some(row) => row.busy.set(false),
                None => self.working.update(|n| *n -= 1),
            }
            match result {
                Ok(()) => {
                    self.error.set(None);
                    // A list-wide change can bring in other tasks; under a search,
                    // any change can change what matches and how many.
                    if row.is_none() || self.matching.get_untracked().is_some() {
                        self.reload();
                    }
                }
                Err(error) => {
                    undo();
                    self.error.set(Some(error));
                }
            }
        });
    }

    /// Fetches this page again: after a list-wide change, which can bring in tasks
    /// the page did not have (marking all active under "Active", say), or for a new
    /// search. Rows keep their signals, because `<For>` keeps the view of a key it
    /// has seen.
    fn reload(self) {
        let Position {
            filter,
            after,
            before,
        } = self.position.get_untracked();
        let q = self.query.get_untracked();
        let fetch = self.fetches.get_value().wrapping_add(1);
        self.fetches.set_value(fetch);
        spawn_local(async move {
            let answer =
                list_tasks(filter.as_query().map(str::to_owned), after, before, Some(q)).await;
            if self.fetches.get_value() != fetch {
                return; // a later fetch is on its way
            }
            let page = match answer {
                Ok(page) => page,
                // A search the server refused (too long) says why; after a change,
                // the change is saved and the page just shows it less exactly.
                Err(error @ AppError::Validation(_)) => return self.error.set(Some(error)),
                Err(_) => return,
            };
            self.error.set(None);
            let known = self.rows.get_untracked();
            let rows = page
                .tasks
                .into_iter()
                .map(|task| match known.iter().find(|row| row.id == task.id) {
                    // A row whose own change is still being saved keeps what the
                    // person did: this answer may have been read before it.
                    Some(row) if row.busy.get_untracked() => *row,
                    Some(row) => {
                        row.title.set(task.title);
                        row.completed.set(task.completed);
                        *row
                    }
                    None => self.row(task),
                })
                .collect();
            self.rows.set(rows);
            self.active.set(page.active_count);
            self.completed.set(page.completed_count);
            self.next.set(page.next);
            self.previous.set(page.previous);
            self.matching.set(page.matching);
        });
    }

    pub(super) fn toggle(self, row: Row) {
        let now = !row.completed.get_untracked();
        row.completed.set(now);
        self.count(now, 1);
        self.count(!now, -1);
        let hidden = if self.shows(now) {
            None
        } else {
            self.take(row.id)
        };
        self.save(Some(row), set_task_completed(row.id, now), move || {
            row.completed.set(!now);
            self.count(!now, 1);
            self.count(now, -1);
            self.put_back(row, hidden);
        });
    }

    pub(super) fn rename(self, row: Row, title: String) {
        let before = row.title.get_untracked();
        row.title.set(title.clone());
        self.save(Some(row), rename_task(row.id, title), move || {
            row.title.set(before)
        });
    }

    pub(super) fn delete(self, row: Row) {
        let completed = row.completed.get_untracked();
        let index = self.take(row.id);
        self.count(completed, -1);
        self.save(Some(row), delete_task(row.id, None), move || {
            self.count(completed, 1);
            self.put_back(row, index);
        });
    }

    pub(super) fn set_all(self) {
        let target = self.active.get_untracked() > 0;
        let rows = self.rows.get_untracked();
        let states: Vec<bool> = rows.iter().map(|r| r.completed.get_untracked()).collect();
        let counts = (self.active.get_untracked(), self.completed.get_untracked());
        let total = counts.0 + counts.1;
        for row in &rows {
            row.completed.set(target);
        }
        self.active.set(if target { 0 } else { total });
        self.completed.set(if target { total } else { 0 });
        if !self.shows(target) {
            self.rows.set(Vec::new());
        }
        self.save(None, set_all_completed(target), move || {
            for (row, completed) in rows.iter().zip(states) {
                row.completed.set(completed);
            }
            self.active.set(counts.0);
            self.completed.set(counts.1);
            self.rows.set(rows);
        });
    }

    pub(super) fn clear(self) {
        let rows = self.rows.get_untracked();
        let completed = self.completed.get_untracked();
        self.rows
            .update(|rows| rows.retain(|r| !r.completed.get_untracked()));
        self.completed.set(0);
        self.save(None, clear_completed(), move || {
            self.completed.set(completed);
            self.rows.set(rows);
        });
    }

    /// A task the server has just created: it is the newest, so it goes first on
    /// the first page if the filter shows it.
    pub(super) fn added(self, task: Task) {
        self.count(false, 1);
        if self.matching.get_untracked().is_some() {
            // Whether it matches the search is the server's to say.
            return self.reload();
        }
        if !(self.position.get_untracked().is_first_page() && self.shows(false)) {
            return;
        }
        let row = self.row(task);
        self.rows.update(|rows| {
            rows.insert(0, row);
            if rows.len() > PAGE_SIZE as usize {
                rows.pop();
                let last = rows.last().map(|r| r.id);
                self.next.set(last);
            }
        });
    }
}
