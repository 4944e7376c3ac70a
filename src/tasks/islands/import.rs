//! The import form: a file, so a multipart form: a plain post without JavaScript, a
//! fetch of the same form data when hydrated.

use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn};

use crate::{
    components::{Alert, SubmissionKey},
    error::AppError,
    tasks::{domain::import_limits, import_tasks, ImportTasks},
};

/// `imported`: how many tasks the plain post before this page imported.
/// `form_key`: the form's submission key (see `components::SubmissionKey`).
#[island]
pub fn ImportForm(
    imported: Option<u64>,
    error: Option<AppError>,
    form_key: String,
) -> impl IntoView {
    let done_in_place = RwSignal::new(0);
    let import = Action::new_local(move |data: &leptos::web_sys::FormData| {
        let sent = import_tasks(data.clone().into());
        async move {
            let answer = sent.await;
            if answer.is_ok() {
                done_in_place.update(|n| *n += 1);
            }
            answer
        }
    });
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
    let failed = move || match import.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => error.clone(),
    };
    let done = move || match import.value().get() {
        Some(Ok(count)) => Some(count),
        _ => imported,
    };
    view! {
        <form action=ImportTasks::url() method="post" enctype="multipart/form-data" on:submit=on_submit>
            <Alert error=Signal::derive(failed) />
            {move || done().map(|n| view! {
                <p role="status">{format!("Imported {n} task{}.", if n == 1 { "" } else { "s" })}</p>
            })}
            <SubmissionKey key=form_key used=done_in_place />
            <label for="import-file">{format!("Tasks file (a JSON export, {})", import_limits())}</label>
            <input id="import-file" type="file" name="file" accept=".json,application/json" required />
            <button type="submit" disabled=move || import.pending().get()>"Import"</button>
        </form>
    }
}
