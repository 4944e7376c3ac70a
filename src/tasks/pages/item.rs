//! One task in the list: its checkbox, its title (a link; double-click edits), the
//! inline title editor, and its Edit and Delete buttons.

use leptos::{
    either::Either,
    ev::{KeyboardEvent, MouseEvent, SubmitEvent},
    prelude::*,
    server_fn::ServerFn,
};
use leptos_router::{hooks::use_navigate, NavigateOptions};

use super::nothing_to_check;
use crate::{
    components::ValidatedForm,
    tasks::{DeleteTask, Filter, RenameTask, SetTaskCompleted, Task},
};

/// The list's actions, shared with every item.
#[derive(Clone, Copy)]
pub(super) struct ListActions {
    pub(super) set_completed: ServerAction<SetTaskCompleted>,
    pub(super) rename: ServerAction<RenameTask>,
    pub(super) delete: ServerAction<DeleteTask>,
}

/// The list's position in the URL: filter and page cursor (edit mode rides on top).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Position {
    pub(super) filter: Filter,
    pub(super) after: Option<i64>,
    pub(super) before: Option<i64>,
}

impl Position {
    /// The URL for this position, plus `extra` query pairs.
    pub(super) fn href(&self, extra: &[(&str, String)]) -> String {
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

    pub(super) fn with_filter(filter: Filter) -> Self {
        Self {
            filter,
            after: None,
            before: None,
        }
    }
}

#[component]
pub(super) fn TaskItem(
    task: Task,
    position: Position,
    editing: Memo<Option<i64>>,
) -> impl IntoView {
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
