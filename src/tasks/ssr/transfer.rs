//! The person's data in portable form: export to JSON (`tasklist/v2`) and CSV, row by
//! row so a download of any size takes the same memory, and (JSON) import of v2 or
//! v1 files that checks every row before anything is stored.

use std::fmt;

use serde::{
    de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer, Serialize,
};
use time::OffsetDateTime;

use crate::tasks::domain::{
    import_too_large, TaskDescription, TaskTitle, IMPORT_MAX_BYTES, IMPORT_MAX_TASKS,
};

/// What exports write. `tasklist/v1` files (without the times) still import.
pub const FORMAT: &str = "tasklist/v2";

/// One task as exported: everything a person wrote, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExportedTask {
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The JSON export, a piece at a time: `json_head`, a `json_row` per task (oldest
/// first, so importing it recreates the same order), `json_tail`.
pub fn json_head() -> String {
    format!("{{\"format\":\"{FORMAT}\",\"tasks\":[\n")
}

pub fn json_row(task: &ExportedTask, first: bool) -> String {
    let row = serde_json::to_string(task).unwrap_or_default();
    if first {
        row
    } else {
        format!(",\n{row}")
    }
}

pub fn json_tail() -> &'static str {
    "\n]}\n"
}

/// The CSV export's header row.
pub fn csv_head() -> Vec<u8> {
    csv_record(&[
        "title",
        "description",
        "completed",
        "created_at",
        "updated_at",
    ])
}

/// One task as a CSV row (RFC 4180, written by the `csv` crate). Text cells that a
/// spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or carriage
/// return) get a leading apostrophe.
pub fn csv_row(task: &ExportedTask) -> Vec<u8> {
    let time = |at: OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    csv_record(&[
        &formula_guard(&task.title),
        &formula_guard(task.description.as_deref().unwrap_or("")),
        if task.completed { "true" } else { "false" },
        &time(task.created_at),
        &time(task.updated_at),
    ])
}

fn csv_record(cells: &[&str]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(cells);
    writer.into_inner().unwrap_or_default()
}

fn formula_guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportedRow {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    completed: bool,
    #[serde(default, with = "time::serde::rfc3339::option")]
    created_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    updated_at: Option<OffsetDateTime>,
}

/// A row ready to insert; without times (a v1 file), it is new as of now.
#[derive(Debug, PartialEq, Eq)]
pub struct NewTask {
    pub title: TaskTitle,
    pub description: TaskDescription,
    pub completed: bool,
    pub created_at: Option<OffsetDateTime>,
    pub updated_at: Option<OffsetDateTime>,
}

const NOT_AN_EXPORT: &str = "The file is not a task export (JSON with a \"tasks\" list)";

/// Parses and validates a whole file: an export (v2 or v1), or just its list of
/// tasks. The error names the first bad row (counting from 1) and what is wrong.
/// Rows are read one at a time into their types (no tree of the whole file is
/// built), and reading stops at the row past the limit.
pub fn parse_import(bytes: &[u8]) -> Result<Vec<NewTask>, String> {
    if bytes.len() > IMPORT_MAX_BYTES {
        return Err(import_too_large().message);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let rows = deserializer
        .deserialize_any(FileVisitor)
        .and_then(|rows| deserializer.end().map(|()| rows))
        .map_err(|error| {
            let message = error.to_string();
            // Messages of our own ("Row 3: ...", "The file holds ...") go as they are;
            // serde_json's own ("expected value at line 1 ...") say the file is not one.
            if message.starts_with("Row ") || message.starts_with("The file") {
                strip_position(&message).to_owned()
            } else {
                format!("{NOT_AN_EXPORT}: {message}.")
            }
        })?;
    if rows.is_empty() {
        return Err("The file holds no tasks.".into());
    }
    Ok(rows)
}

/// serde_json appends where in the file an error is (" at line 1 column 52"); a row
/// number says it better.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// The top level: the export object (`format`, `tasks`) or a bare list of tasks.
struct FileVisitor;

impl<'de> Visitor<'de> for FileVisitor {
    type Value = Vec<NewTask>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a task export")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        RowsVisitor.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut rows = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "tasks" => rows = Some(map.next_value_seed(Rows)?),
                "format" => {
                    let format: String = map.next_value()?;
                    if !matches!(format.as_str(), "tasklist/v1" | "tasklist/v2") {
                        return Err(de::Error::custom(format!(
                            "The file is in format {format}, which this version cannot read \
                             (it reads tasklist/v1 and tasklist/v2)"
                        )));
                    }
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        rows.ok_or_else(|| de::Error::custom(format!("{NOT_AN_EXPORT}.")))
    }
}

/// The list of tasks, read and checked a row at a time.
struct Rows;

impl<'de> DeserializeSeed<'de> for Rows {
    type Value = Vec<NewTask>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(RowsVisitor)
    }
}

struct RowsVisitor;

impl<'de> Visitor<'de> for RowsVisitor {
    type Value = Vec<NewTask>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of tasks")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut rows = Vec::new();
        loop {
            let number = rows.len() + 1;
            let row_error = |message: String| de::Error::custom(format!("Row {number}: {message}"));
            let Some(row) = seq
                .next_element::<ImportedRow>()
                .map_err(|e| row_error(format!("{}.", strip_position(&e.to_string()))))?
            else {
                return Ok(rows);
            };
            if number > IMPORT_MAX_TASKS {
                return Err(de::Error::custom(format!(
                    "The file holds more than {IMPORT_MAX_TASKS} tasks; at most \
                     {IMPORT_MAX_TASKS} can be imported at once."
                )));
            }
            rows.push(NewTask {
                title: TaskTitle::parse(&row.title).map_err(|e| row_error(e.message))?,
                description: TaskDescription::parse(row.description.as_deref().unwrap_or(""))
                    .map_err(|e| row_error(e.message))?,
                completed: row.completed,
                created_at: row.created_at,
                updated_at: row.updated_at.or(row.created_at),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(title: &str, description: Option<&str>, completed: bool) -> ExportedTask {
        ExportedTask {
            title: title.into(),
            description: description.map(Into::into),
            completed,
            created_at: time::macros::datetime!(2026-11-30 08:05:00 UTC),
            updated_at: time::macros::datetime!(2026-11-30 09:15:30.25 UTC),
        }
    }

    fn json(tasks: &[ExportedTask]) -> String {
        let mut out = json_head();
        for (i, task) in tasks.iter().enumerate() {
            out.push_str(&json_row(task, i == 0));
        }
        out.push_str(json_tail());
        out
    }

    fn csv(tasks: &[ExportedTask]) -> String {
        let mut out = csv_head();
        for task in tasks {
            out.extend(csv_row(task));
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_where_needed_doubles_quotes_and_carries_the_times() {
        let csv = csv(&[task(
            "Say \"hi\", then go",
            Some("line one\nline two"),
            true,
        )]);
        assert_eq!(
            csv,
            "title,description,completed,created_at,updated_at\r\n\
             \"Say \"\"hi\"\", then go\",\"line one\nline two\",true,\
             2026-11-30T08:05:00Z,2026-11-30T09:15:30.25Z\r\n"
        );
    }

    #[test]
    fn csv_defuses_cells_a_spreadsheet_would_run_as_formulas() {
        let csv = csv(&[task("=HYPERLINK(\"x\")", Some("@SUM(A1)"), false)]);
        assert!(csv.contains("\"'=HYPERLINK"), "{csv}");
        assert!(csv.contains("'@SUM(A1)"), "{csv}");
    }

    #[test]
    fn the_json_export_is_tasklist_v2_and_one_valid_document() {
        let file = json(&[task("One", None, false), task("Two", Some("details"), true)]);
        let value: serde_json::Value = serde_json::from_str(&file).unwrap();
        assert_eq!(value["format"], "tasklist/v2");
        assert_eq!(value["tasks"][1]["created_at"], "2026-11-30T08:05:00Z");
        assert_eq!(value["tasks"][1]["updated_at"], "2026-11-30T09:15:30.25Z");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json(&[])).unwrap()["tasks"],
            serde_json::json!([])
        );
    }

    #[test]
    fn an_export_file_imports_back_with_the_same_rows_and_times() {
        let file = json(&[task("One", None, false), task("Two", Some("details"), true)]);
        let rows = parse_import(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].title.as_str(), "Two");
        assert_eq!(rows[1].description.as_deref(), Some("details"));
        assert!(rows[1].completed);
        assert_eq!(rows[1].created_at, Some(task("", None, false).created_at));
        assert_eq!(rows[1].updated_at, Some(task("", None, false).updated_at));
    }

    #[test]
    fn a_v1_file_still_imports_as_new_tasks() {
        let file = br#"{"format": "tasklist/v1", "tasks": [{"title": "Old", "completed": true}]}"#;
        let rows = parse_import(file).unwrap();
        assert_eq!(rows[0].title.as_str(), "Old");
        assert_eq!((rows[0].created_at, rows[0].updated_at), (None, None));
    }

    #[test]
    fn a_file_of_another_format_or_a_bad_time_is_refused_with_why() {
        let error = parse_import(br#"{"format": "tasklist/v9", "tasks": []}"#).unwrap_err();
        assert!(
            error.contains("tasklist/v9") && error.contains("tasklist/v2"),
            "{error}"
        );
        let error =
            parse_import(br#"{"tasks": [{"title": "x", "created_at": "yesterday"}]}"#).unwrap_err();
        assert!(error.starts_with("Row 1:"), "{error}");
    }

    #[test]
    fn the_first_bad_row_is_reported_by_number() {
        let file = br#"{"tasks": [{"title": "fine"}, {"title": "  "}, {"title": ""}]}"#;
        let error = parse_import(file).unwrap_err();
        assert!(error.starts_with("Row 2: Title can't be empty"), "{error}");
    }

    #[test]
    fn a_file_that_is_not_an_export_is_refused_with_a_hint() {
        let error = parse_import(b"title,description\nx,y").unwrap_err();
        assert!(error.contains("not a task export"), "{error}");
        let error = parse_import(br#"{"items": []}"#).unwrap_err();
        assert!(error.contains("not a task export"), "{error}");
    }

    #[test]
    fn a_malformed_row_is_reported_by_number_too() {
        let error =
            parse_import(br#"{"tasks": [{"title": "ok"}, {"titel": "typo"}]}"#).unwrap_err();
        assert!(error.starts_with("Row 2: unknown field `titel`"), "{error}");
        let error =
            parse_import(br#"[{"title": "ok"}, {"title": "ok"}, {"title": 5}]"#).unwrap_err();
        assert!(error.starts_with("Row 3: invalid type"), "{error}");
    }

    #[test]
    fn more_tasks_than_the_limit_are_refused_where_reading_stops() {
        let rows: Vec<_> = (0..=IMPORT_MAX_TASKS)
            .map(|_| serde_json::json!({"title": "t"}))
            .collect();
        let error = parse_import(serde_json::to_string(&rows).unwrap().as_bytes()).unwrap_err();
        assert!(error.contains("at most 10000"), "{error}");
        assert!(!error.contains("line"), "{error}");
    }
}
