//! The parts of the task pages people interact with, as islands: the list (with
//! its new-task form), one task's form, and the import. Everything else on those
//! pages is server-rendered and ships no code.
//!
//! The list is one island rather than one per task: the counter, "Mark all as
//! complete", "Clear completed", the filter and the paging all follow from every
//! task's state, so they share one owner of that state instead of islands talking
//! to each other through the page; and a `<ul>` may hold only `<li>`s, which an
//! island per item (each wrapped in its own `<leptos-island>`) would break.

mod board;
mod editor;
mod import;
mod item;
mod model;

pub use board::{TaskBoard, Typed};
pub use editor::TaskEditor;
pub use import::ImportForm;
