//! The task pages: the list at `/` and one task at `/tasks/{id}`. Every control is a
//! form, so each works as a plain post without JavaScript; hydrated, the same forms
//! update the page in place.

use leptos::{
    either::{Either, EitherOf3},
    ev::{KeyboardEvent, MouseEvent, SubmitEvent},
    prelude::*,
    server_fn::ServerFn,
};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map, use_url},
    NavigateOptions,
};

use super::{
    domain::{TaskDescription, TaskTitle},
    get_task, import_tasks, list_tasks, ClearCompleted, CreateTask, DeleteTask, Filter,
    ImportTasks, RenameTask, SetAllCompleted, SetTaskCompleted, Task, TaskPage, UpdateTask,
};
use crate::{
    app::NotFound,
    auth::pages::RequireUser,
    components::{on_success, typed, ActionError, ValidatedForm},
    error::AppError,
};

/// Forms without arguments to check.
fn nothing_to_check<S>(_: &S) -> Result<(), crate::validation::FieldError> {
    Ok(())
}

#[component]
pub fn TaskListPage() -> impl IntoView {
    view! {
        <Title text="Tasks" />
        <RequireUser>
            <TaskList />
        </RequireUser>
    }
}

/// The list's actions, shared with every item.
#[derive(Clone, Copy)]
struct ListActions {
    set_completed: ServerAction<SetTaskCompleted>,
    rename: ServerAction<RenameTask>,
    delete: ServerAction<DeleteTask>,
}

/// The list's position in the URL: filter and page cursor (edit mode rides on top).
#[derive(Clone, Debug, PartialEq)]
struct Position {
    filter: Filter,
    after: Option<i64>,
    before: Option<i64>,
}

impl Position {
    /// The URL for this position, plus `extra` query pairs.
    fn href(&self, extra: &[(&str, String)]) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(filter) = self.filter.as_query() {
            pairs.push(("filter", filter.to_owned()));
        }
        if let Some(after) = self.after {
            pairs.push(("after", after.to_string()));
        }
        if let Some(before) = self.before {
            pairs.push(("before", before.to_string()));
        }
        pairs.extend(extra.iter().cloned());
        if pairs.is_empty() {
            "/".to_owned()
        } else {
            let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("/?{}", query.join("&"))
        }
    }

    fn with_filter(filter: Filter) -> Self {
        Self {
            filter,
            after: None,
            before: None,
        }
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
            <textarea id="new-description" name="description" rows="2">
                {typed("description")}
            </textarea>
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

#[component]
fn TaskItem(task: Task, position: Position, editing: Memo<Option<i64>>) -> impl IntoView {
    let actions = expect_context::<ListActions>();
    let id = task.id;
    // The state the person asked for, shown while the server saves it. The item is
    // rebuilt from the refreshed list once the save finishes, which discards it.
    let requested = RwSignal::new(None::<bool>);
    let saved_state = task.completed;
    let completed = move || requested.get().unwrap_or(saved_state);
    let task = StoredValue::new(task);
    let edit_href = position.href(&[("edit", id.to_string())]);
    let back_href = position.href(&[]);
    let on_edit = {
        let navigate = use_navigate();
        let edit_href = edit_href.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            navigate(&edit_href, NavigateOptions::default());
        }
    };
    view! {
        <li class:completed=completed>
            <ValidatedForm action=actions.set_completed validate=nothing_to_check class="inline">
                <input type="hidden" name="id" value=id />
                // Fixed from the saved state, so it cannot change under the submit.
                <input type="hidden" name="completed" value=(!saved_state).to_string() />
                <button type="submit" role="checkbox" class="check"
                    aria-checked=move || completed().to_string()
                    aria-label=task.read_value().title.clone()
                    aria-busy=move || requested.get().is_some().then_some("true")
                    on:click=move |_| requested.set(Some(!saved_state))></button>
            </ValidatedForm>
            {move || if editing.get() == Some(id) {
                Either::Left(view! { <EditTitle task=task.get_value() back_href=back_href.clone() /> })
            } else {
                Either::Right(view! { <TitleLink task=task.get_value() edit_href=edit_href.clone() /> })
            }}
            // A plain GET form to this page with `edit` set; hydrated, the same URL
            // without a page load.
            <form action="/" method="get" class="inline" on:submit=on_edit>
                {position.filter.as_query().map(|f| view! { <input type="hidden" name="filter" value=f /> })}
                {position.after.map(|a| view! { <input type="hidden" name="after" value=a /> })}
                {position.before.map(|b| view! { <input type="hidden" name="before" value=b /> })}
                <input type="hidden" name="edit" value=id />
                <button type="submit" class="secondary">"Edit"</button>
            </form>
            <ValidatedForm action=actions.delete validate=nothing_to_check class="inline">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="secondary" disabled=move || actions.delete.pending().get()>"Delete"</button>
            </ValidatedForm>
        </li>
    }
}

/// The title as a link to the task page; a double click edits it instead. A single
/// click waits a moment before following the link, to see whether a second follows.
#[component]
fn TitleLink(task: Task, edit_href: String) -> impl IntoView {
    let navigate = use_navigate();
    let href = format!("/tasks/{}", task.id);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_click = {
        let navigate = navigate.clone();
        let href = href.clone();
        move |ev: MouseEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                return; // new tab or window: the browser's business
            }
            ev.prevent_default();
            let navigate = navigate.clone();
            let href = href.clone();
            if let Some(handle) = pending.get_value() {
                handle.clear();
            }
            let handle = set_timeout_with_handle(
                move || navigate(&href, NavigateOptions::default()),
                std::time::Duration::from_millis(250),
            );
            pending.set_value(handle.ok());
        }
    };
    let on_double_click = move |ev: MouseEvent| {
        ev.prevent_default();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        navigate(&edit_href, NavigateOptions::default());
    };
    view! {
        <a href=href class="title" on:click=on_click on:dblclick=on_double_click>{task.title}</a>
    }
}

/// The inline editor: Enter or leaving the box saves, Escape cancels, and an empty
/// title offers to delete the task instead.
#[component]
fn EditTitle(task: Task, back_href: String) -> impl IntoView {
    let actions = expect_context::<ListActions>();
    let navigate = use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    // Set once the edit is saved or cancelled, so the blur that follows does nothing.
    let finished = StoredValue::new(false);
    let id = task.id;
    let original = task.title.clone();

    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
            input.select();
        }
    });

    let leave = {
        let navigate = navigate.clone();
        let back_href = back_href.clone();
        move || {
            finished.set_value(true);
            navigate(
                &back_href,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    };
    let save = {
        let leave = leave.clone();
        move || {
            if finished.get_value() {
                return;
            }
            let Some(value) = input.get_untracked().map(|i| i.value()) else {
                return;
            };
            if value.trim().is_empty() {
                let delete = window()
                    .confirm_with_message("A task needs a title. Delete this task instead?")
                    .unwrap_or(false);
                if delete {
                    actions.delete.dispatch(DeleteTask { id, back: None });
                }
            } else if value.trim() != original {
                actions.rename.dispatch(RenameTask { id, title: value });
            }
            leave();
        }
    };
    let on_submit = {
        let save = save.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            save();
        }
    };
    let on_keydown = {
        let leave = leave.clone();
        move |ev: KeyboardEvent| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                leave();
            }
        }
    };
    view! {
        <form action=RenameTask::url() method="post" class="inline edit" on:submit=on_submit>
            <input type="hidden" name="id" value=id />
            <input type="text" name="title" aria-label="Edit title" value=task.title required
                autofocus node_ref=input on:keydown=on_keydown on:blur=move |_| save() />
        </form>
    }
}

#[component]
pub fn TaskDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let update = ServerAction::<UpdateTask>::new();
    let delete = ServerAction::<DeleteTask>::new();
    let navigate = use_navigate();
    on_success(delete, move |()| navigate("/", NavigateOptions::default()));
    let task = Resource::new(
        move || (id(), update.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_task(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <RequireUser>
            <Suspense>
                {move || Suspend::new(async move {
                    match task.await {
                        Ok(task) => EitherOf3::A(view! { <TaskDetail task update delete /> }),
                        Err(AppError::NotFound) => EitherOf3::B(view! { <NotFound /> }),
                        Err(error) => EitherOf3::C(view! {
                            <main class="narrow"><p role="alert" class="form-error">{error.to_string()}</p></main>
                        }),
                    }
                })}
            </Suspense>
        </RequireUser>
    }
}

#[component]
fn TaskDetail(
    task: Task,
    update: ServerAction<UpdateTask>,
    delete: ServerAction<DeleteTask>,
) -> impl IntoView {
    let url = use_url();
    let saved = move || {
        matches!(update.value().get(), Some(Ok(_)))
            || url.read().search_params().get("saved").is_some()
    };
    let confirm_delete = |ev: MouseEvent| {
        if !window()
            .confirm_with_message("Delete this task?")
            .unwrap_or(false)
        {
            ev.prevent_default();
        }
    };
    view! {
        <Title text=task.title.clone() />
        <main class="narrow">
            <h1>{task.title.clone()}</h1>
            <ValidatedForm action=update class="task-form" validate=|input: &UpdateTask| {
                TaskTitle::parse(&input.title)?;
                TaskDescription::parse(input.description.as_deref().unwrap_or(""))?;
                Ok(())
            }>
                <ActionError action=update />
                {move || saved().then(|| view! { <p role="status">"Saved."</p> })}
                <input type="hidden" name="id" value=task.id />
                <label for="task-title">"Title"</label>
                <input id="task-title" name="title" type="text" required value=task.title />
                <label for="task-description">"Description"</label>
                <textarea id="task-description" name="description" rows="6">
                    {task.description.unwrap_or_default()}
                </textarea>
                <label class="checkbox">
                    <input type="checkbox" name="completed" value="true" checked=task.completed />
                    "Completed"
                </label>
                <button type="submit" disabled=move || update.pending().get()>"Save"</button>
            </ValidatedForm>
            <ValidatedForm action=delete validate=nothing_to_check class="inline">
                <ActionError action=delete />
                <input type="hidden" name="id" value=task.id />
                <input type="hidden" name="back" value="/" />
                <button type="submit" class="danger" on:click=confirm_delete>"Delete"</button>
            </ValidatedForm>
            <p><A href="/">"Back to tasks"</A></p>
        </main>
    }
}

/// The account page's data section: downloads of all tasks, and the JSON import.
/// The import posts a file, so it is a multipart form: a plain post without
/// JavaScript, a fetch of the same form data when hydrated.
#[component]
pub fn TaskDataSection() -> impl IntoView {
    let import =
        Action::new_local(|data: &leptos::web_sys::FormData| import_tasks(data.clone().into()));
    // Without JavaScript, a failed import comes back in the URL, like other forms'.
    let url_error = use_context::<leptos::server::ServerActionError>()
        .filter(|error| error.path() == ImportTasks::PATH)
        .map(|error| {
            leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(error.err())
        });
    let imported = typed("imported");
    let on_submit = move |ev: SubmitEvent| {
        use leptos::wasm_bindgen::JsCast;
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        if let Ok(data) = leptos::web_sys::FormData::new_with_form(&form) {
            import.dispatch_local(data);
        }
    };
    let error = move || match import.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => url_error.clone(),
    };
    let done = move || match import.value().get() {
        Some(Ok(count)) => Some(count),
        _ => imported().parse::<u64>().ok(),
    };
    view! {
        <section aria-labelledby="data-heading">
            <h2 id="data-heading">"Your data"</h2>
            <p>"Download all your tasks: " <a href="/tasks/export.json" download>"JSON"</a> " or "
                <a href="/tasks/export.csv" download>"CSV"</a>"."</p>
            <form action=ImportTasks::url() method="post" enctype="multipart/form-data" on:submit=on_submit>
                {move || error().map(|e| view! { <p role="alert" class="form-error">{e.to_string()}</p> })}
                {move || done().map(|n| view! {
                    <p role="status">{format!("Imported {n} task{}.", if n == 1 { "" } else { "s" })}</p>
                })}
                <label for="import-file">"Tasks file (a JSON export, up to 1 MiB and 10,000 tasks)"</label>
                <input id="import-file" type="file" name="file" accept=".json,application/json" required />
                <button type="submit" disabled=move || import.pending().get()>"Import"</button>
            </form>
        </section>
    }
}
