//! One task in the list: its checkbox, its title (a link; double-click edits), the
//! inline title editor, and its Edit and Delete buttons.
//!
//! Without JavaScript the item is one form: the checkbox and "Delete" post to their
//! server functions (`formaction`), and "Edit" is a GET of the list with `edit` set,
//! which the server renders as the title editor. Hydrated, each button acts in place.

use leptos::{
    either::Either,
    ev::{KeyboardEvent, MouseEvent, SubmitEvent},
    prelude::*,
    server_fn::ServerFn,
};

use super::model::{Board, Row};
use crate::{
    components::go_to,
    tasks::{DeleteTask, RenameTask, SetTaskCompleted},
};

#[component]
pub(super) fn TaskItem(row: Row, board: Board) -> impl IntoView {
    view! {
        <li class:completed=move || row.completed.get()
            aria-busy=move || row.busy.get().then_some("true")>
            {move || if row.editing.get() {
                Either::Left(view! { <EditTitle row board /> })
            } else {
                Either::Right(view! { <ItemForm row board /> })
            }}
        </li>
    }
}

#[component]
fn ItemForm(row: Row, board: Board) -> impl IntoView {
    let id = row.id;
    // For "Edit" without JavaScript: a GET form sends its fields, not its URL's query.
    let position = board
        .position
        .get_untracked()
        .pairs_searching(&board.query.get_untracked())
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect_view();
    view! {
        <form action=SetTaskCompleted::url() method="post" class="inline">
            <input type="hidden" name="id" value=id />
            {position}
            <button type="submit" name="completed" role="checkbox" class="check"
                value=move || (!row.completed.get()).to_string()
                aria-checked=move || row.completed.get().to_string()
                aria-label=move || row.title.get()
                disabled=move || row.busy.get()
                on:click=move |ev: MouseEvent| { ev.prevent_default(); board.toggle(row); }></button>
            <TitleLink row />
            <button type="submit" formaction="/" formmethod="get" name="edit" value=id class="secondary"
                on:click=move |ev: MouseEvent| { ev.prevent_default(); row.editing.set(true); }>
                "Edit"
            </button>
            <button type="submit" formaction=DeleteTask::url() class="secondary"
                disabled=move || row.busy.get()
                on:click=move |ev: MouseEvent| { ev.prevent_default(); board.delete(row); }>
                "Delete"
            </button>
        </form>
    }
}

/// The title as a link to the task page; a double click edits it instead. A single
/// click waits a moment before following the link, to see whether a second follows.
#[component]
fn TitleLink(row: Row) -> impl IntoView {
    let href = format!("/tasks/{}", row.id);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let cancel = move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
    };
    let on_click = {
        let href = href.clone();
        move |ev: MouseEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                return; // new tab or window: the browser's business
            }
            ev.prevent_default();
            cancel();
            let href = href.clone();
            let handle = set_timeout_with_handle(
                move || go_to(&href),
                std::time::Duration::from_millis(250),
            );
            pending.set_value(handle.ok());
        }
    };
    let on_double_click = move |ev: MouseEvent| {
        ev.prevent_default();
        cancel();
        row.editing.set(true);
    };
    view! {
        <a href=href class="title" on:click=on_click on:dblclick=on_double_click>
            {move || row.title.get()}
        </a>
    }
}

/// The inline editor: Enter or leaving the box saves, Escape cancels, and an empty
/// title offers to delete the task instead.
#[component]
fn EditTitle(row: Row, board: Board) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    // Set once the edit is saved or cancelled, so the blur that follows does nothing.
    let finished = StoredValue::new(false);

    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
            input.select();
        }
    });

    let leave = move || {
        finished.set_value(true);
        row.editing.set(false);
        forget_edit_in_url(board);
    };
    let save = move || {
        // Removing the box blurs it, after the editor (and `finished`) is gone.
        if finished.try_get_value().unwrap_or(true) {
            return;
        }
        let Some(value) = input.get_untracked().map(|i| i.value()) else {
            return;
        };
        let title = value.trim().to_owned();
        if title.is_empty() {
            let delete = window()
                .confirm_with_message("A task needs a title. Delete this task instead?")
                .unwrap_or(false);
            if delete {
                board.delete(row);
            }
        } else if title != row.title.get_untracked() {
            board.rename(row, title);
        }
        leave();
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save();
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            leave();
        }
    };
    view! {
        <form action=RenameTask::url() method="post" class="inline edit" on:submit=on_submit>
            <input type="hidden" name="id" value=row.id />
            <input type="text" name="title" aria-label="Edit title" value=row.title.get_untracked()
                required autofocus node_ref=input on:keydown=on_keydown on:blur=move |_| save() />
        </form>
    }
}

/// A page opened as `/?edit=N` (the editor of a page without JavaScript) drops
/// `edit` from its address once the edit is over, so a reload does not reopen it.
fn forget_edit_in_url(board: Board) {
    let Ok(search) = window().location().search() else {
        return;
    };
    if search.contains("edit=") {
        let _ = window().history().and_then(|history| {
            history.replace_state_with_url(
                &leptos::wasm_bindgen::JsValue::NULL,
                "",
                Some(&board.href()),
            )
        });
    }
}
