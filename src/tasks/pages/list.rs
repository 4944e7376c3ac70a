//! The list at `/`: its heading and the list island, fed with the page of tasks the
//! URL names.

use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

use crate::{
    forms::returned_error,
    page::Query,
    submissions::new_key,
    tasks::{
        islands::{TaskBoard, Typed},
        ssr, ClearCompleted, CreateTask, DeleteTask, Filter, Position, RenameTask, SetAllCompleted,
        SetTaskCompleted,
    },
};

#[component]
pub fn TaskListPage() -> impl IntoView {
    let query = Query::read();
    let position = Position {
        filter: Filter::from_query(Some(&query.text("filter"))),
        after: query.number("after"),
        before: query.number("before"),
    };
    let search = query.text("q");
    let editing = query.number("edit");
    let typed = Typed {
        title: query.returned("title"),
        description: query.returned("description"),
    };
    let create_error = returned_error::<CreateTask>();
    let list_error = returned_error::<SetTaskCompleted>()
        .or_else(returned_error::<RenameTask>)
        .or_else(returned_error::<DeleteTask>)
        .or_else(returned_error::<SetAllCompleted>)
        .or_else(returned_error::<ClearCompleted>);
    let board = Suspend::new(async move {
        match ssr::list(position.filter, &search, position.cursor()).await {
            Ok(page) => Either::Left(view! {
                <TaskBoard page position query=search editing typed form_key=new_key()
                    create_error list_error />
            }),
            Err(error) => Either::Right(view! {
                <p role="alert" class="form-error">{error.to_string()}</p>
            }),
        }
    });
    view! {
        <Title text="Tasks" />
        <main>
            <h1>"Tasks"</h1>
            {board}
        </main>
    }
}
