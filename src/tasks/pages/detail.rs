//! One task's page at `/tasks/{id}`: its form (an island) and the way back.

use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    error::AppError,
    forms::returned_error,
    moment::Time,
    page::{NotFound, Query},
    tasks::{islands::TaskEditor, ssr, DeleteTask, UpdateTask},
};

#[component]
pub fn TaskDetailPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|params| params.get("id")?.parse::<i64>().ok());
    let saved = !Query::read().returned("saved").is_empty();
    let update_error = returned_error::<UpdateTask>();
    let delete_error = returned_error::<DeleteTask>();
    Suspend::new(async move {
        let task = match id {
            Some(id) => ssr::get_with_times(id).await,
            None => Err(AppError::NotFound),
        };
        match task {
            Ok((task, created, changed)) => EitherOf3::A(view! {
                <Title text=task.title.clone() />
                <main class="narrow">
                    <TaskEditor task saved update_error delete_error />
                    <p class="task-times">
                        "Created " <Time moment=created />
                        " · last changed "
                        <time class="changed" datetime=changed.datetime>{changed.text}</time>
                    </p>
                    <p><a href="/">"Back to tasks"</a></p>
                </main>
            }),
            Err(AppError::NotFound) => EitherOf3::B(view! { <NotFound /> }),
            Err(error) => EitherOf3::C(view! {
                <main class="narrow"><p role="alert" class="form-error">{error.to_string()}</p></main>
            }),
        }
    })
}
