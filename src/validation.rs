//! The shared vocabulary of input rules: a field, what is wrong with it, and helpers
//! the domain types use to state their limits the same way everywhere.

use serde::{Deserialize, Serialize};

/// One field's problem, phrased for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name (`email`, `title`, ...), so a form can place the message.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

/// Length in characters (Unicode scalar values), which is what people count and what
/// PostgreSQL's `char_length` counts; bytes would punish non-Latin scripts.
pub fn char_count(s: &str) -> usize {
    s.chars().count()
}
