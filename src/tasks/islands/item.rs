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
                on:click=move |ev: MouseEvent| {
                    ev.prevent_default();
                    let place = board.rows.with_untracked(|rows| rows.iter().position(|r| r.id == row.id));
                    board.delete(row);
                    // Once the list has drawn itself without the row.
                    request_animation_frame(move || focus_after_delete(place));
                }>
                "Delete"
            </button>
        </form>
    }
}

/// Where focus goes once the task at `place` in the list is gone: the checkbox of
/// the task now in its place (or of the one before it, for the last), else the
/// new-task box, so a keyboard user carries on from where they were.
fn focus_after_delete(place: Option<usize>) {
    use leptos::wasm_bindgen::JsCast;
    let checks = document()
        .query_selector_all(".task-list button.check")
        .ok();
    let count = checks.as_ref().map_or(0, |checks| checks.length() as usize);
    let neighbour = match place {
        Some(_) if count == 0 => None,
        Some(place) => checks.and_then(|checks| checks.item(place.min(count - 1) as u32)),
        None => None,
    };
    let target = neighbour
        .and_then(|node| node.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        .or_else(|| {
            document()
                .get_element_by_id("new-title")
                .and_then(|element| element.dyn_into().ok())
        });
    if let Some(target) = target {
        let _ = target.focus();
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
        // Saved with Enter or left with Escape, focus goes back to the task's title
        // once the editor is gone, not to the top of the page. Left by moving focus
        // elsewhere (a blur), it stays where the person put it.
        let item = input
            .get_untracked()
            .filter(|input| {
                document()
                    .active_element()
                    .is_some_and(|active| active.is_same_node(Some(input.as_ref())))
            })
            .and_then(|input| input.closest("li").ok().flatten());
        row.editing.set(false);
        forget_edit_in_url(board);
        if let Some(item) = item {
            request_animation_frame(move || {
                use leptos::wasm_bindgen::JsCast;
                if let Some(title) = item
                    .query_selector("a.title")
                    .ok()
                    .flatten()
                    .and_then(|a| a.dyn_into::<leptos::web_sys::HtmlElement>().ok())
                {
                    let _ = title.focus();
                }
            });
        }
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
