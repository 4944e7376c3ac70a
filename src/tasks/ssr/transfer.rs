//! The person's data in portable form: export to JSON and CSV, and (JSON) import
//! that validates every row before anything is stored.

use serde::{Deserialize, Serialize};

use crate::tasks::{
    domain::{import_too_large, TaskDescription, TaskTitle, IMPORT_MAX_BYTES, IMPORT_MAX_TASKS},
    Task,
};

pub const FORMAT: &str = "tasklist/v1";

/// The export file. Oldest task first, so importing it recreates the same order.
#[derive(Serialize)]
pub struct Export {
    pub format: &'static str,
    pub tasks: Vec<ExportedTask>,
}

#[derive(Serialize)]
pub struct ExportedTask {
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
}

impl Export {
    pub fn new(tasks: Vec<Task>) -> Self {
        Self {
            format: FORMAT,
            tasks: tasks
                .into_iter()
                .map(|t| ExportedTask {
                    title: t.title,
                    description: t.description,
                    completed: t.completed,
                })
                .collect(),
        }
    }
}

/// RFC 4180 CSV with a header row. Cells that a spreadsheet would run as a formula
/// (leading `=`, `+`, `-`, `@`) get a leading apostrophe.
pub fn to_csv(tasks: &[Task]) -> String {
    let mut out = String::from("title,description,completed\r\n");
    for task in tasks {
        out.push_str(&csv_cell(&task.title));
        out.push(',');
        out.push_str(&csv_cell(task.description.as_deref().unwrap_or("")));
        out.push(',');
        out.push_str(if task.completed { "true" } else { "false" });
        out.push_str("\r\n");
    }
    out
}

fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportedRow {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    completed: bool,
}

/// A row ready to insert.
#[derive(Debug, PartialEq, Eq)]
pub struct NewTask {
    pub title: TaskTitle,
    pub description: TaskDescription,
    pub completed: bool,
}

/// Parses and validates a whole file: the export format, or just its list of
/// tasks. The error names the first bad row (counting from 1) and what is wrong.
pub fn parse_import(bytes: &[u8]) -> Result<Vec<NewTask>, String> {
    const NOT_AN_EXPORT: &str = "The file is not a task export (JSON with a \"tasks\" list)";
    if bytes.len() > IMPORT_MAX_BYTES {
        return Err(import_too_large().message);
    }
    let file: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("{NOT_AN_EXPORT}: {e}."))?;
    let rows = match file {
        serde_json::Value::Array(rows) => rows,
        serde_json::Value::Object(mut file) => match file.remove("tasks") {
            Some(serde_json::Value::Array(rows)) => rows,
            _ => return Err(format!("{NOT_AN_EXPORT}.")),
        },
        _ => return Err(format!("{NOT_AN_EXPORT}.")),
    };
    if rows.is_empty() {
        return Err("The file holds no tasks.".into());
    }
    if rows.len() > IMPORT_MAX_TASKS {
        return Err(format!(
            "The file holds {} tasks; at most {IMPORT_MAX_TASKS} can be imported at once.",
            rows.len()
        ));
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let row_error = |message: String| format!("Row {}: {message}", i + 1);
            let row: ImportedRow =
                serde_json::from_value(row).map_err(|e| row_error(format!("{e}.")))?;
            Ok(NewTask {
                title: TaskTitle::parse(&row.title).map_err(|e| row_error(e.message))?,
                description: TaskDescription::parse(row.description.as_deref().unwrap_or(""))
                    .map_err(|e| row_error(e.message))?,
                completed: row.completed,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(title: &str, description: Option<&str>, completed: bool) -> Task {
        Task {
            id: 1,
            title: title.into(),
            description: description.map(Into::into),
            completed,
        }
    }

    #[test]
    fn csv_quotes_every_cell_and_doubles_quotes() {
        let csv = to_csv(&[task(
            "Say \"hi\", then go",
            Some("line one\nline two"),
            true,
        )]);
        assert_eq!(
            csv,
            "title,description,completed\r\n\"Say \"\"hi\"\", then go\",\"line one\nline two\",true\r\n"
        );
    }

    #[test]
    fn csv_defuses_cells_a_spreadsheet_would_run_as_formulas() {
        let csv = to_csv(&[task("=HYPERLINK(\"x\")", None, false)]);
        assert!(csv.contains("\"'=HYPERLINK"), "{csv}");
    }

    #[test]
    fn an_export_file_imports_back_with_the_same_rows() {
        let export = Export::new(vec![
            task("One", None, false),
            task("Two", Some("details"), true),
        ]);
        let rows = parse_import(serde_json::to_string(&export).unwrap().as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].title.as_str(), "Two");
        assert_eq!(rows[1].description.as_deref(), Some("details"));
        assert!(rows[1].completed);
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
    fn too_many_tasks_are_refused_before_any_row_is_checked() {
        let rows: Vec<_> = (0..=IMPORT_MAX_TASKS)
            .map(|_| serde_json::json!({"title": "t"}))
            .collect();
        let error = parse_import(serde_json::to_string(&rows).unwrap().as_bytes()).unwrap_err();
        assert!(error.contains("at most 10000"), "{error}");
    }
}
