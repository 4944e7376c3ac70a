//! The list's state and the actions on it: every action changes the state at once
//! and undoes exactly that change, with the server's error, if the server refuses.

use std::future::Future;

use leptos::{prelude::*, task::spawn_local};

use crate::{
    error::AppError,
    tasks::{
        clear_completed, delete_task, list_tasks, rename_task, set_all_completed,
        set_task_completed, Position, Task, TaskPage, PAGE_SIZE,
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
    pub(super) position: Position,
}

impl Board {
    pub(super) fn new(
        page: TaskPage,
        position: Position,
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
            position,
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
        self.position
            .filter
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
                    if row.is_none() {
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

    /// Fetches this page again after a list-wide change, which can bring in tasks
    /// the page did not have (marking all active under "Active", say). Rows keep
    /// their signals, because `<For>` keeps the view of a key it has seen.
    fn reload(self) {
        let Position {
            filter,
            after,
            before,
        } = self.position;
        spawn_local(async move {
            let Ok(page) = list_tasks(filter.as_query().map(str::to_owned), after, before).await
            else {
                return; // the change is saved; the page just shows it less exactly
            };
            let known = self.rows.get_untracked();
            let rows = page
                .tasks
                .into_iter()
                .map(|task| match known.iter().find(|row| row.id == task.id) {
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
    pub(super) fn added(&self, task: Task) {
        self.count(false, 1);
        if !(self.position.is_first_page() && self.shows(false)) {
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
