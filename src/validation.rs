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

/// The length of a text field's trimmed value in characters, or the error naming
/// the first character such a field refuses (see [`forbidden_char`]). `label` is
/// how messages name the field ("Title", "Name").
pub fn checked_length(
    text: &str,
    field: &str,
    label: &str,
    multiline: bool,
) -> Result<usize, FieldError> {
    match forbidden_char(text, multiline) {
        Some(c) => Err(FieldError::new(
            field,
            format!("{label} can't contain {}: remove it.", describe_char(c)),
        )),
        None => Ok(char_count(text)),
    }
}

/// The message for a value over its limit, with how long it is.
pub fn too_long(field: &str, label: &str, max: usize, length: usize) -> FieldError {
    FieldError::new(
        field,
        format!("{label} must be at most {max} characters (it has {length})."),
    )
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

/// Where to go after log-in: `next` when it is a path on this site, never another
/// site (`//evil.example`, `https://…`, `/\evil.example` all lead away).
pub fn safe_next_path(raw: &str) -> Option<String> {
    let on_this_site = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= 2048
        && !raw.chars().any(|c| c == '\\' || c.is_control());
    on_this_site.then(|| raw.to_owned())
}

#[cfg(test)]
mod safe_path_tests {
    use super::safe_next_path;

    #[test]
    fn a_path_on_this_site_is_kept_with_its_query() {
        assert_eq!(
            safe_next_path("/tasks/42?x=1").as_deref(),
            Some("/tasks/42?x=1")
        );
        assert_eq!(safe_next_path("/").as_deref(), Some("/"));
    }

    #[test]
    fn anything_that_could_leave_the_site_is_dropped() {
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "evil.example",
            "",
            "/\n/evil",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next_path(bad), None, "{bad:?}");
        }
    }
}

#[cfg(test)]
mod safe_path_properties {
    use proptest::prelude::*;

    use super::safe_next_path;

    proptest! {
        #[test]
        fn a_safe_next_path_never_leaves_the_site(raw in "\\PC{0,60}") {
            if let Some(path) = safe_next_path(&raw) {
                prop_assert!(path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'));
            }
        }
    }
}
