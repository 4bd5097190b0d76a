//! The JSON report: one top-level object, tagged with its schema and version so that
//! consumers can tell what they read (`"schema": "pygrade-report"`, `"schema_version": 1`).

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{Emitter, ExerciseReport, Report, Summary, Tools};

pub(crate) const SCHEMA_VERSION: u32 = 1;

pub(crate) struct Json;

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    learner: Option<&'a str>,
    tools: &'a Tools,
    summary: &'a Summary,
    exercises: &'a [ExerciseReport],
}

/// A report as read back: what [`Json`] wrote.
#[derive(Deserialize)]
struct Written {
    schema: String,
    schema_version: u32,
    learner: Option<String>,
    tools: Tools,
    exercises: Vec<ExerciseReport>,
}

/// The report a [`Json`] document holds, its summary counted again from its exercises.
pub(crate) fn read(text: &[u8]) -> Result<Report, String> {
    let written: Written = serde_json::from_slice(text).map_err(|e| e.to_string())?;
    if written.schema != "pygrade-report" || written.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "it is a {} version {} document, not a pygrade-report version {SCHEMA_VERSION}: was it written by another pygrade?",
            written.schema, written.schema_version
        ));
    }
    let mut report = Report::new(written.tools, written.exercises);
    report.learner = written.learner;
    Ok(report)
}

impl Emitter for Json {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let document = Document {
            schema: "pygrade-report",
            schema_version: SCHEMA_VERSION,
            learner: report.learner.as_deref(),
            tools: &report.tools,
            summary: &report.summary,
            exercises: &report.exercises,
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_matches_its_snapshot() {
        let mut out = Vec::new();
        Json.emit(&super::super::sample::report(), &mut out)
            .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        insta::assert_json_snapshot!(value);
    }

    #[test]
    fn a_report_read_back_is_written_again_byte_for_byte() {
        let mut report = super::super::sample::report();
        report.learner = Some("ada".into());
        let mut first = Vec::new();
        Json.emit(&report, &mut first).unwrap();
        let mut again = Vec::new();
        Json.emit(&read(&first).unwrap(), &mut again).unwrap();
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(first).unwrap()
        );
        let other = br#"{"schema": "x", "schema_version": 9, "learner": null, "tools": {}, "exercises": []}"#;
        assert!(read(other).is_err());
    }
}
