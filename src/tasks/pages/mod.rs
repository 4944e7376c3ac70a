//! The task pages: the list at `/` (with its items and their inline editor), one
//! task at `/tasks/{id}`, and the data section the account page shows. Every
//! control is a form, so each works as a plain post without JavaScript; hydrated,
//! the same forms update the page in place.

mod data;
mod detail;
mod item;
mod list;

pub use data::TaskDataSection;
pub use detail::TaskDetailPage;
pub use list::TaskListPage;

/// Forms without arguments to check.
pub(super) fn nothing_to_check<S>(_: &S) -> Result<(), crate::validation::FieldError> {
    Ok(())
}
