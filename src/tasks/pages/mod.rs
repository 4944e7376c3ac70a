//! The task pages as server components (they ship no code): the list at `/`, one
//! task at `/tasks/{id}`, and the data section the account page shows. Each loads
//! its data once, awaits it outside any `<Suspense>` (which would resolve the page
//! twice on the server: leptos issue 4688), and hands it to its island as props.

mod data;
mod detail;
mod list;

pub use data::TaskDataSection;
pub use detail::TaskDetailPage;
pub use list::TaskListPage;
