//! The account page's data section: downloads of all tasks, and the JSON import.

use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn};

use crate::{
    components::typed,
    error::AppError,
    tasks::{domain::import_limits, import_tasks, ImportTasks},
};

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
                <label for="import-file">{format!("Tasks file (a JSON export, {})", import_limits())}</label>
                <input id="import-file" type="file" name="file" accept=".json,application/json" required />
                <button type="submit" disabled=move || import.pending().get()>"Import"</button>
            </form>
        </section>
    }
}
