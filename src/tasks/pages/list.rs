//! The list at `/`: the new-task form, the page of tasks with its filters,
//! counter and paging, and the list-wide actions.

use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    item::{ListActions, Position, TaskItem},
    nothing_to_check,
};
use crate::{
    components::{on_success, typed, ActionError, TextArea, ValidatedForm},
    tasks::{
        domain::{TaskDescription, TaskTitle},
        list_tasks, ClearCompleted, CreateTask, Filter, SetAllCompleted, TaskPage,
    },
};

#[component]
pub fn TaskListPage() -> impl IntoView {
    view! {
        <Title text="Tasks" />
        <TaskList />
    }
}

#[component]
fn TaskList() -> impl IntoView {
    let query = use_query_map();
    let number = move |key: &str| query.read().get(key).and_then(|v| v.parse::<i64>().ok());
    let position = Memo::new(move |_| Position {
        filter: Filter::from_query(query.read().get_str("filter")),
        after: number("after"),
        before: number("before"),
    });
    let editing = Memo::new(move |_| number("edit"));

    let create = ServerAction::<CreateTask>::new();
    let actions = ListActions {
        set_completed: ServerAction::new(),
        rename: ServerAction::new(),
        delete: ServerAction::new(),
    };
    let set_all = ServerAction::<SetAllCompleted>::new();
    let clear = ServerAction::<ClearCompleted>::new();
    provide_context(actions);

    // Any finished action changes what the list shows: fetch it again.
    let changes = move || {
        create.version().get()
            + actions.set_completed.version().get()
            + actions.rename.version().get()
            + actions.delete.version().get()
            + set_all.version().get()
            + clear.version().get()
    };
    let page = Resource::new(
        move || (position.get(), changes()),
        |(position, _)| {
            list_tasks(
                position.filter.as_query().map(str::to_owned),
                position.after,
                position.before,
            )
        },
    );

    view! {
        <main>
            <h1>"Tasks"</h1>
            <NewTaskForm action=create />
            <ActionError action=actions.set_completed />
            <ActionError action=actions.rename />
            <ActionError action=actions.delete />
            <ActionError action=set_all />
            <ActionError action=clear />
            <Transition fallback=|| view! { <p>"Loading your tasks…"</p> }>
                {move || {
                    let position = position.get();
                    Suspend::new(async move {
                        match page.await {
                            Ok(page) => Either::Left(view! {
                                <ListBody page position editing set_all clear />
                            }),
                            Err(error) => Either::Right(view! {
                                <p role="alert" class="form-error">{error.to_string()}</p>
                            }),
                        }
                    })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn NewTaskForm(action: ServerAction<CreateTask>) -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    let title = NodeRef::<leptos::html::Input>::new();
    on_success(action, move |_| {
        if let Some(form) = form.get_untracked() {
            form.reset();
        }
        if let Some(title) = title.get_untracked() {
            let _ = title.focus();
        }
    });
    view! {
        <ValidatedForm action node_ref=form class="new-task" validate=|input: &CreateTask| {
            TaskTitle::parse(&input.title)?;
            TaskDescription::parse(input.description.as_deref().unwrap_or(""))?;
            Ok(())
        }>
            <ActionError action />
            <label for="new-title">"Title"</label>
            <input id="new-title" name="title" type="text" required autofocus
                autocomplete="off" node_ref=title value=typed("title") />
            <label for="new-description">"Description"</label>
            <TextArea id="new-description" name="description" rows=2 text=Signal::derive(typed("description")) />
            <button type="submit" disabled=move || action.pending().get()>"Add task"</button>
        </ValidatedForm>
    }
}

#[component]
fn ListBody(
    page: TaskPage,
    position: Position,
    editing: Memo<Option<i64>>,
    set_all: ServerAction<SetAllCompleted>,
    clear: ServerAction<ClearCompleted>,
) -> impl IntoView {
    if page.active_count + page.completed_count == 0 {
        return Either::Left(view! { <p class="empty">"No tasks yet"</p> });
    }
    let all_completed = page.active_count == 0;
    let left = page.active_count;
    let counter = format!("{left} {} left", if left == 1 { "item" } else { "items" });
    let filter = position.filter;
    let filter_link = move |target: Filter, label: &'static str| {
        let href = Position::with_filter(target).href(&[]);
        view! { <a href=href aria-current=(filter == target).then_some("page")>{label}</a> }
    };
    let empty_view = match filter {
        Filter::Active => "No active tasks",
        Filter::Completed => "No completed tasks",
        Filter::All => "No tasks on this page",
    };
    let tasks = page.tasks;
    let items = if tasks.is_empty() {
        Either::Left(view! { <p class="empty">{empty_view}</p> })
    } else {
        let here = position.clone();
        Either::Right(view! {
            <ul class="task-list" aria-label="Tasks">
                {tasks
                    .into_iter()
                    .map(|task| view! { <TaskItem task position=here.clone() editing /> })
                    .collect_view()}
            </ul>
        })
    };
    let newer = page.previous.map(|id| {
        let href = Position {
            filter,
            after: None,
            before: Some(id),
        }
        .href(&[]);
        view! { <a href=href rel="prev">"Previous page"</a> }
    });
    let older = page.next.map(|id| {
        let href = Position {
            filter,
            after: Some(id),
            before: None,
        }
        .href(&[]);
        view! { <a href=href rel="next">"Next page"</a> }
    });
    Either::Right(view! {
        <div class="list-tools">
            <ValidatedForm action=set_all validate=nothing_to_check class="inline">
                <input type="hidden" name="completed" value=(!all_completed).to_string() />
                <button type="submit" role="checkbox" aria-checked=all_completed.to_string() class="toggle-all"
                    disabled=move || set_all.pending().get()>
                    "Mark all as complete"
                </button>
            </ValidatedForm>
        </div>
        {items}
        <div class="list-footer">
            <span class="counter">{counter}</span>
            <nav aria-label="Filters" class="filters">
                {filter_link(Filter::All, "All")}
                {filter_link(Filter::Active, "Active")}
                {filter_link(Filter::Completed, "Completed")}
            </nav>
            {(page.completed_count > 0).then(|| view! {
                <ValidatedForm action=clear validate=nothing_to_check class="inline">
                    <button type="submit" class="secondary" disabled=move || clear.pending().get()>
                        "Clear completed"
                    </button>
                </ValidatedForm>
            })}
        </div>
        {(newer.is_some() || older.is_some()).then(|| view! {
            <nav aria-label="Pages" class="pages">{newer}{older}</nav>
        })}
    })
}
