//! One task's form on its page: every field at once, and delete (which asks first).

use leptos::{ev::MouseEvent, prelude::*};

use crate::{
    components::{go_to, on_success, server_action, ActionError, TextArea, ValidatedForm},
    error::AppError,
    tasks::{
        domain::{TaskDescription, TaskTitle},
        DeleteTask, Task, UpdateTask,
    },
};

/// The page's "last changed" is server-rendered (it has no code of its own), so the
/// island that saved the task says it changed just now.
fn show_changed_now() {
    // The browser's clock exists in the browser build only; this runs only there.
    #[cfg(feature = "hydrate")]
    if let Ok(Some(changed)) = document().query_selector("time.changed") {
        let now = js_sys::Date::new_0().to_iso_string();
        let _ = changed.set_attribute("datetime", &String::from(now));
        changed.set_text_content(Some("just now"));
    }
}

/// The task page's heading and form. `saved`: the page is the redirect after a
/// plain post that saved it.
#[island]
pub fn TaskEditor(
    task: Task,
    saved: bool,
    update_error: Option<AppError>,
    delete_error: Option<AppError>,
) -> impl IntoView {
    let update = server_action::<UpdateTask>(update_error);
    let delete = server_action::<DeleteTask>(delete_error);
    on_success(delete, |()| go_to("/"));
    // The heading and the tab's title follow a saved title without a page load.
    let heading = RwSignal::new(task.title.clone());
    on_success(update, move |task: Task| {
        document().set_title(&task.title);
        heading.set(task.title);
        show_changed_now();
    });
    let saved = move || saved || matches!(update.value().get(), Some(Ok(_)));
    let confirm_delete = |ev: MouseEvent| {
        if !window()
            .confirm_with_message("Delete this task?")
            .unwrap_or(false)
        {
            ev.prevent_default();
        }
    };
    view! {
        <h1>{move || heading.get()}</h1>
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
            <TextArea id="task-description" name="description" rows=6
                text=task.description.unwrap_or_default() />
            <label class="checkbox">
                <input type="checkbox" name="completed" value="true" checked=task.completed />
                "Completed"
            </label>
            <button type="submit" disabled=move || update.pending().get()>"Save"</button>
        </ValidatedForm>
        <ValidatedForm action=delete validate=|_: &DeleteTask| Ok(()) class="inline">
            <ActionError action=delete />
            <input type="hidden" name="id" value=task.id />
            <input type="hidden" name="back" value="/" />
            <button type="submit" class="danger" on:click=confirm_delete
                disabled=move || delete.pending().get()>"Delete"</button>
        </ValidatedForm>
    }
}
