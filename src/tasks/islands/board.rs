//! The task list as one island: the new-task form, the list, its counter, filters
//! and paging, and the list-wide actions, drawn from the state in `model`.

use leptos::{either::Either, ev::MouseEvent, prelude::*, server_fn::ServerFn};
use serde::{Deserialize, Serialize};

use super::{item::TaskItem, model::Board};
use crate::{
    components::{
        on_success, server_action, ActionError, Alert, SubmissionKey, TextArea, ValidatedForm,
    },
    error::AppError,
    tasks::{
        domain::{TaskDescription, TaskTitle},
        ClearCompleted, CreateTask, Filter, Position, SetAllCompleted, Task, TaskPage,
    },
};

/// What a failed plain post of the new-task form sent back, to fill it in again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typed {
    pub title: String,
    pub description: String,
}

/// The whole list at `/`. `editing`: the task whose title is being edited (the
/// `?edit=` of a page without JavaScript). `form_key`: the new-task form's
/// submission key (see `components::SubmissionKey`).
#[island]
pub fn TaskBoard(
    page: TaskPage,
    position: Position,
    editing: Option<i64>,
    typed: Typed,
    form_key: String,
    create_error: Option<AppError>,
    list_error: Option<AppError>,
) -> impl IntoView {
    let previous = page.previous;
    let board = Board::new(page, position, editing, list_error);
    let total = move || board.active.get() + board.completed.get();
    view! {
        <NewTaskForm board typed form_key error=create_error />
        <Alert error=board.error />
        {move || if total() == 0 {
            Either::Left(view! { <p class="empty">"No tasks yet"</p> })
        } else {
            Either::Right(view! { <ListTools board /> <Items board /> <ListFooter board /> })
        }}
        <Paging board previous />
    }
}

#[component]
fn NewTaskForm(
    board: Board,
    typed: Typed,
    form_key: String,
    error: Option<AppError>,
) -> impl IntoView {
    let action = server_action::<CreateTask>(error);
    let added = RwSignal::new(0);
    let title = NodeRef::<leptos::html::Input>::new();
    let description = NodeRef::<leptos::html::Textarea>::new();
    // Emptied by hand: a form's reset() would bring back what a failed plain post
    // put in the boxes' defaults.
    on_success(action, move |task: Task| {
        board.added(task);
        added.update(|n| *n += 1);
        if let Some(description) = description.get_untracked() {
            description.set_value("");
        }
        if let Some(title) = title.get_untracked() {
            title.set_value("");
            let _ = title.focus();
        }
    });
    view! {
        <ValidatedForm action class="new-task" validate=|input: &CreateTask| {
            TaskTitle::parse(&input.title)?;
            TaskDescription::parse(input.description.as_deref().unwrap_or(""))?;
            Ok(())
        }>
            <ActionError action />
            <SubmissionKey key=form_key used=added />
            <label for="new-title">"Title"</label>
            <input id="new-title" name="title" type="text" required autofocus
                autocomplete="off" node_ref=title value=typed.title />
            <label for="new-description">"Description"</label>
            <TextArea id="new-description" name="description" rows=2 text=typed.description
                node_ref=description />
            <button type="submit" disabled=move || action.pending().get()>"Add task"</button>
        </ValidatedForm>
    }
}

/// "Mark all as complete": a checkbox-like button, checked when every task is.
#[component]
fn ListTools(board: Board) -> impl IntoView {
    let all_completed = move || board.active.get() == 0;
    view! {
        <div class="list-tools">
            <form action=SetAllCompleted::url() method="post" class="inline">
                <input type="hidden" name="completed" value=move || (!all_completed()).to_string() />
                <button type="submit" role="checkbox" class="toggle-all"
                    aria-checked=move || all_completed().to_string()
                    disabled=move || board.is_working()
                    on:click=move |ev: MouseEvent| { ev.prevent_default(); board.set_all(); }>
                    "Mark all as complete"
                </button>
            </form>
        </div>
    }
}

#[component]
fn Items(board: Board) -> impl IntoView {
    let empty = match board.position.filter {
        Filter::Active => "No active tasks",
        Filter::Completed => "No completed tasks",
        Filter::All => "No tasks on this page",
    };
    move || {
        if board.rows.with(Vec::is_empty) {
            Either::Left(view! { <p class="empty">{empty}</p> })
        } else {
            Either::Right(view! {
                <ul class="task-list" aria-label="Tasks"
                    aria-busy=move || board.is_working().then_some("true")>
                    <For each=move || board.rows.get() key=|row| row.id let(row)>
                        <TaskItem row board />
                    </For>
                </ul>
            })
        }
    }
}

#[component]
fn ListFooter(board: Board) -> impl IntoView {
    let filter = board.position.filter;
    let filter_link = move |target: Filter, label: &'static str| {
        let href = Position::with_filter(target).href();
        view! { <a href=href aria-current=(filter == target).then_some("page")>{label}</a> }
    };
    let counter = move || {
        let left = board.active.get();
        format!("{left} {} left", if left == 1 { "item" } else { "items" })
    };
    view! {
        <div class="list-footer">
            <span class="counter">{counter}</span>
            <nav aria-label="Filters" class="filters">
                {filter_link(Filter::All, "All")}
                {filter_link(Filter::Active, "Active")}
                {filter_link(Filter::Completed, "Completed")}
            </nav>
            {move || (board.completed.get() > 0).then(|| view! {
                <form action=ClearCompleted::url() method="post" class="inline">
                    <button type="submit" class="secondary"
                        disabled=move || board.is_working()
                        on:click=move |ev: MouseEvent| { ev.prevent_default(); board.clear(); }>
                        "Clear completed"
                    </button>
                </form>
            })}
        </div>
    }
}

/// "Previous page" and "Next page": plain links, so a page has its own URL.
#[component]
fn Paging(board: Board, previous: Option<i64>) -> impl IntoView {
    let filter = board.position.filter;
    let link = move |after: Option<i64>, before: Option<i64>| {
        Position {
            filter,
            after,
            before,
        }
        .href()
    };
    move || {
        let newer = previous
            .map(|id| view! { <a href=link(None, Some(id)) rel="prev">"Previous page"</a> });
        let older = board
            .next
            .get()
            .map(|id| view! { <a href=link(Some(id), None) rel="next">"Next page"</a> });
        (newer.is_some() || older.is_some())
            .then(|| view! { <nav aria-label="Pages" class="pages">{newer}{older}</nav> })
    }
}
