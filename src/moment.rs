//! A moment as pages show it: a `<time>` element with the machine-readable instant
//! and words a person reads. Written on the server, in UTC (it cannot know the
//! reader's time zone without JavaScript), and carried to islands as props.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::{macros::format_description, OffsetDateTime};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    /// RFC 3339, for the `datetime` attribute.
    pub datetime: String,
    /// "1 Dec 2026, 17:40 UTC".
    pub text: String,
}

impl Moment {
    /// The moment `unix_seconds` after the epoch (the epoch itself when out of range).
    pub fn at(unix_seconds: i64) -> Self {
        let instant =
            OffsetDateTime::from_unix_timestamp(unix_seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Self::of(instant)
    }

    pub fn of(instant: OffsetDateTime) -> Self {
        let instant = instant.to_offset(time::UtcOffset::UTC);
        let datetime = instant
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let text = instant
            .format(format_description!(
                "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
            ))
            .unwrap_or_default();
        Self { datetime, text }
    }
}

/// `<time datetime=...>words</time>`.
#[component]
pub fn Time(moment: Moment) -> impl IntoView {
    view! { <time datetime=moment.datetime>{moment.text}</time> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_as_words_and_as_rfc_3339() {
        let moment = Moment::at(1_796_146_800); // 2026-12-01T17:40:00Z
        assert_eq!(moment.datetime, "2026-12-01T17:40:00Z");
        assert_eq!(moment.text, "1 Dec 2026, 17:40 UTC");
    }
}
