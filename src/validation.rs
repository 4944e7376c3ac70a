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

/// The first character of `s` that text fields refuse: control characters, which
/// cannot be seen (and NUL, which PostgreSQL cannot even store), except the line
/// breaks and tabs that multi-line text is allowed when `multiline`.
pub fn forbidden_char(s: &str, multiline: bool) -> Option<char> {
    s.chars()
        .find(|&c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// How a refused character is named in a message: its code point, since it has no
/// visible form.
pub fn describe_char(c: char) -> String {
    match c {
        '\0' => "a NUL character (U+0000)".to_owned(),
        '\n' | '\r' => "a line break".to_owned(),
        '\t' => "a tab".to_owned(),
        c => format!("an invisible control character (U+{:04X})", u32::from(c)),
    }
}
