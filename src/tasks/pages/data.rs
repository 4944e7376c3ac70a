//! The account page's data section: downloads of all tasks, and the import island.

use leptos::prelude::*;

use crate::{
    forms::returned_error,
    page::Query,
    submissions::new_key,
    tasks::{islands::ImportForm, ImportTasks},
};

#[component]
pub fn TaskDataSection() -> impl IntoView {
    view! {
        <section aria-labelledby="data-heading">
            <h2 id="data-heading">"Your data"</h2>
            <p>"Download all your tasks: " <a href="/tasks/export.json" download>"JSON"</a> " or "
                <a href="/tasks/export.csv" download>"CSV"</a>"."</p>
            <ImportForm imported=Query::read().returned_number("imported")
                error={returned_error::<ImportTasks>()} form_key=new_key() />
        </section>
    }
}
