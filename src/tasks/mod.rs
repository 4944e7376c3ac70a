//! Tasks: each person's own list. Shared by both builds: the domain types, the
//! server functions' signatures, and the pages.

pub mod domain;
