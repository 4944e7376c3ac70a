//! Task input, parsed once: `TaskTitle` and `TaskDescription` hold only values the
//! database's CHECK constraints would also accept.

use crate::validation::{checked_length, too_long, FieldError};

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;
/// The largest file the import reads, and the most tasks one import stores.
pub const IMPORT_MAX_BYTES: usize = 1024 * 1024;
pub const IMPORT_MAX_TASKS: usize = 10_000;

/// What the import accepts, in words, for its form.
pub fn import_limits() -> String {
    format!(
        "up to {} MiB and {} tasks",
        IMPORT_MAX_BYTES / (1024 * 1024),
        thousands(IMPORT_MAX_TASKS)
    )
}

/// The import's answer to a file over [`IMPORT_MAX_BYTES`].
pub fn import_too_large() -> FieldError {
    FieldError::new(
        "file",
        format!("The file is larger than {} KiB.", IMPORT_MAX_BYTES / 1024),
    )
}

/// `12345` -> "12,345".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A trimmed title of 1 to 200 characters, on one line, with nothing invisible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskTitle(String);

impl TaskTitle {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let title = raw.trim();
        match checked_length(title, "title", "Title", false)? {
            0 => Err(FieldError::new(
                "title",
                format!("Title can't be empty: enter 1 to {TITLE_MAX_CHARS} characters."),
            )),
            n if n > TITLE_MAX_CHARS => Err(too_long("title", "Title", TITLE_MAX_CHARS, n)),
            _ => Ok(Self(title.to_owned())),
        }
    }

    /// What the database's length CHECK stands for, should it ever catch a title
    /// that did not come through `parse`.
    pub fn length_error() -> FieldError {
        FieldError::new(
            "title",
            format!("Title must be 1 to {TITLE_MAX_CHARS} characters."),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An optional description: trimmed, empty means none, at most 1000 characters;
/// line breaks and tabs allowed, other control characters not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDescription(Option<String>);

impl TaskDescription {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let description = raw.trim();
        match checked_length(description, "description", "Description", true)? {
            0 => Ok(Self(None)),
            n if n > DESCRIPTION_MAX_CHARS => Err(too_long(
                "description",
                "Description",
                DESCRIPTION_MAX_CHARS,
                n,
            )),
            _ => Ok(Self(Some(description.to_owned()))),
        }
    }

    /// See [`TaskTitle::length_error`].
    pub fn length_error() -> FieldError {
        FieldError::new(
            "description",
            format!("Description must be at most {DESCRIPTION_MAX_CHARS} characters."),
        )
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_import_limits_read_as_people_write_numbers() {
        assert_eq!(super::import_limits(), "up to 1 MiB and 10,000 tasks");
    }

    use super::*;

    #[test]
    fn a_title_is_trimmed() {
        assert_eq!(
            TaskTitle::parse("  Buy milk \n").unwrap().as_str(),
            "Buy milk"
        );
    }

    #[test]
    fn an_empty_or_whitespace_title_is_refused_with_the_limits() {
        for raw in ["", "   ", "\t\n"] {
            let error = TaskTitle::parse(raw).unwrap_err();
            assert_eq!(error.field, "title");
            assert!(
                error.message.contains("Title") && error.message.contains("200"),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn a_title_of_200_characters_is_accepted_and_201_is_refused() {
        assert!(TaskTitle::parse(&"t".repeat(200)).is_ok());
        let error = TaskTitle::parse(&"t".repeat(201)).unwrap_err();
        assert!(
            error.message.contains("at most 200") && error.message.contains("201"),
            "{}",
            error.message
        );
    }

    #[test]
    fn title_length_counts_multi_byte_characters_once() {
        assert!(TaskTitle::parse(&"ü".repeat(200)).is_ok());
        assert!(TaskTitle::parse(&"🦀".repeat(200)).is_ok());
        assert!(TaskTitle::parse(&"🦀".repeat(201)).is_err());
    }

    #[test]
    fn surrounding_spaces_do_not_count_towards_the_title_limit() {
        let padded = format!("  {}  ", "t".repeat(200));
        assert_eq!(TaskTitle::parse(&padded).unwrap().as_str().len(), 200);
    }

    #[test]
    fn a_blank_description_becomes_none() {
        assert_eq!(TaskDescription::parse("  \n ").unwrap().as_deref(), None);
        assert_eq!(
            TaskDescription::parse(" notes ").unwrap().as_deref(),
            Some("notes")
        );
    }

    #[test]
    fn a_description_of_1000_characters_is_accepted_and_1001_is_refused() {
        assert!(TaskDescription::parse(&"д".repeat(1000)).is_ok());
        let error = TaskDescription::parse(&"д".repeat(1001)).unwrap_err();
        assert_eq!(error.field, "description");
        assert!(
            error.message.contains("Description") && error.message.contains("1000"),
            "{}",
            error.message
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_nul_or_control_character_in_a_title_is_refused_and_named() {
        for (raw, named) in [
            ("Buy\0milk", "NUL"),
            ("Buy\nmilk", "line break"),
            ("Buy\u{7}milk", "U+0007"),
        ] {
            let error = TaskTitle::parse(raw).unwrap_err();
            assert_eq!(error.field, "title");
            assert!(error.message.contains(named), "{}", error.message);
        }
    }

    #[test]
    fn a_description_keeps_line_breaks_and_tabs_but_refuses_nul() {
        let kept = TaskDescription::parse("first line\n\tsecond line").unwrap();
        assert_eq!(kept.as_deref(), Some("first line\n\tsecond line"));
        let error = TaskDescription::parse("notes\0").unwrap_err();
        assert_eq!(error.field, "description");
        assert!(error.message.contains("NUL"), "{}", error.message);
    }

    proptest! {
        #[test]
        fn no_accepted_title_or_description_holds_what_postgresql_cannot_store(raw in ".{0,40}") {
            if let Ok(title) = TaskTitle::parse(&raw) {
                prop_assert!(!title.as_str().chars().any(char::is_control));
            }
            if let Ok(TaskDescription(Some(text))) = TaskDescription::parse(&raw) {
                prop_assert!(!text.contains('\0'));
            }
        }

        #[test]
        fn a_title_is_accepted_exactly_when_its_trimmed_length_is_1_to_200(raw in "\\PC{0,260}") {
            let n = raw.trim().chars().count();
            match TaskTitle::parse(&raw) {
                Ok(title) => {
                    prop_assert!((1..=TITLE_MAX_CHARS).contains(&n));
                    prop_assert_eq!(title.as_str(), raw.trim());
                }
                Err(error) => {
                    prop_assert!(!(1..=TITLE_MAX_CHARS).contains(&n));
                    prop_assert_eq!(error.field, "title");
                }
            }
        }

        #[test]
        fn a_description_is_none_when_blank_and_never_over_1000(raw in "\\PC{0,1100}") {
            if let Ok(description) = TaskDescription::parse(&raw) {
                match description.as_deref() {
                    None => prop_assert!(raw.trim().is_empty()),
                    Some(text) => prop_assert!(text.chars().count() <= DESCRIPTION_MAX_CHARS && text == raw.trim()),
                }
            }
        }
    }
}

/// The longest search the list accepts, in characters.
pub const SEARCH_MAX_CHARS: usize = 200;

/// What a person searches their tasks for (`?q=`). The database reads its words
/// with the parser that made the index's (`task_search_query`, migration
/// `task_search_query`), so "2026-01-15" or an email address match as they are
/// stored; here it is only checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery(String);

impl SearchQuery {
    /// None for a search with no letter or digit in it (blank, or only
    /// punctuation): the whole list.
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        let length = raw.chars().count();
        if length > SEARCH_MAX_CHARS {
            return Err(too_long("q", "The search", SEARCH_MAX_CHARS, length));
        }
        let text = raw.trim();
        Ok(text
            .chars()
            .any(char::is_alphanumeric)
            .then(|| Self(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn a_search_is_its_text_trimmed() {
        let query = SearchQuery::parse("  Buy MILK, 2l!  ").unwrap().unwrap();
        assert_eq!(query.as_str(), "Buy MILK, 2l!");
    }

    #[test]
    fn a_search_without_letters_or_digits_is_the_whole_list() {
        assert_eq!(SearchQuery::parse("").unwrap(), None);
        assert_eq!(SearchQuery::parse(" ?! & ").unwrap(), None);
        assert!(SearchQuery::parse("東京").unwrap().is_some());
    }

    #[test]
    fn a_search_over_the_limit_says_so() {
        let error = SearchQuery::parse(&"a".repeat(SEARCH_MAX_CHARS + 1)).unwrap_err();
        assert!(error.message.contains("200"), "{}", error.message);
    }
}
