//! One task's page at `/tasks/{id}`: every field at once, and delete (which asks
//! first).

use leptos::{either::EitherOf3, ev::MouseEvent, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_url},
    NavigateOptions,
};

use super::nothing_to_check;
use crate::{
    components::{on_success, ActionError, NotFound, TextArea, ValidatedForm},
    error::AppError,
    tasks::{
        domain::{TaskDescription, TaskTitle},
        get_task, DeleteTask, Task, UpdateTask,
    },
};

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
                <TextArea id="task-description" name="description" rows=6
                    text=task.description.unwrap_or_default() />
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
