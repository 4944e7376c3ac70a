//! The task list as one island: the new-task form, the list, its counter, filters
//! and paging, and the list-wide actions, drawn from the state in `model`.

use leptos::{
    either::Either,
    ev::{MouseEvent, SubmitEvent},
    prelude::*,
    server_fn::ServerFn,
};
use serde::{Deserialize, Serialize};

use super::{item::TaskItem, model::Board};
use crate::{
    components::{
        on_success, server_action, ActionError, Alert, SubmissionKey, TextArea, ValidatedForm,
    },
    error::AppError,
    tasks::{
        domain::{TaskDescription, TaskTitle, SEARCH_MAX_CHARS},
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
    /// What the list is searched for; blank for all of it.
    query: String,
    editing: Option<i64>,
    typed: Typed,
    form_key: String,
    create_error: Option<AppError>,
    list_error: Option<AppError>,
) -> impl IntoView {
    let board = Board::new(page, position, query, editing, list_error);
    // A memo, so that the list below is built again only when it appears or goes,
    // not at every change of the counts (which would rebuild the search box under
    // the person typing in it).
    let empty = Memo::new(move |_| board.active.get() + board.completed.get() == 0);
    view! {
        // The title editor of a page without JavaScript (`?edit=`) takes the focus.
        <NewTaskForm board typed form_key error=create_error autofocus=editing.is_none() />
        <Alert error=board.error />
        {move || if empty.get() {
            Either::Left(view! {
                <div class="first-run">
                    <p class="empty">"No tasks yet"</p>
                    <p class="hint">"Add your first one above: a title is all it needs."</p>
                </div>
            })
        } else {
            Either::Right(view! {
                <SearchBox board />
                <ListTools board />
                <Items board />
                <ListFooter board />
            })
        }}
        <Paging board />
    }
}

/// The search: a GET form, so `/?q=` works without JavaScript and can be shared;
/// hydrated, the list follows the box as the person types.
#[component]
fn SearchBox(board: Board) -> impl IntoView {
    let filter = board.filter().as_query();
    let input = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = input.get_untracked() {
            board.search(input.value());
        }
    };
    view! {
        <form role="search" method="get" action="/" class="search" on:submit=on_submit>
            {filter.map(|filter| view! { <input type="hidden" name="filter" value=filter /> })}
            <label for="search" class="visually-hidden">"Search tasks"</label>
            <input id="search" type="text" name="q" placeholder="Search tasks" enterkeyhint="search"
                autocomplete="off"
                maxlength=SEARCH_MAX_CHARS node_ref=input value=board.query.get_untracked()
                on:input=move |ev| board.search_soon(event_target_value(&ev)) />
            <button type="submit" class="secondary">"Search"</button>
        </form>
    }
}

#[component]
fn NewTaskForm(
    board: Board,
    typed: Typed,
    form_key: String,
    error: Option<AppError>,
    autofocus: bool,
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
            <input id="new-title" name="title" type="text" required autofocus=autofocus
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
    let empty = match board.filter() {
        Filter::Active => "No active tasks",
        Filter::Completed => "No completed tasks",
        Filter::All => "No tasks on this page",
    };
    move || {
        if board.rows.with(Vec::is_empty) {
            let empty = if board.query.with(|q| q.trim().is_empty()) {
                empty
            } else {
                "No tasks match"
            };
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
    let filter = board.filter();
    let filter_link = move |target: Filter, label: &'static str| {
        let href = move || Position::with_filter(target).href_searching(&board.query.get());
        view! { <a href=href aria-current=(filter == target).then_some("page")>{label}</a> }
    };
    let counter = move || {
        let left = board.active.get();
        format!("{left} {} left", if left == 1 { "item" } else { "items" })
    };
    let matching = move || {
        board.matching.get().map(|n| {
            let tasks = if n == 1 { "task" } else { "tasks" };
            format!("{n} matching {tasks}")
        })
    };
    view! {
        <div class="list-footer">
            <span class="counter">{counter}</span>
            <span class="matching" aria-live="polite">{matching}</span>
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
fn Paging(board: Board) -> impl IntoView {
    let filter = board.filter();
    let link = move |after: Option<i64>, before: Option<i64>| {
        Position {
            filter,
            after,
            before,
        }
        .href_searching(&board.query.get_untracked())
    };
    move || {
        let newer = board
            .previous
            .get()
            .map(|id| view! { <a href=link(None, Some(id)) rel="prev">"Previous page"</a> });
        let older = board
            .next
            .get()
            .map(|id| view! { <a href=link(Some(id), None) rel="next">"Next page"</a> });
        (newer.is_some() || older.is_some())
            .then(|| view! { <nav aria-label="Pages" class="pages">{newer}{older}</nav> })
    }
}
