//! The JSON report: one top-level object, tagged with its schema and version so that
//! consumers can tell what they read (`"schema": "pygrade-report"`, `"schema_version": 1`).

use std::io::Write;

use serde::Serialize;

use super::{Emitter, ExerciseReport, Report, Summary, Tools};

pub(crate) const SCHEMA_VERSION: u32 = 1;

pub(crate) struct Json;

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    schema_version: u32,
    tools: &'a Tools,
    summary: &'a Summary,
    exercises: &'a [ExerciseReport],
}

impl Emitter for Json {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let document = Document {
            schema: "pygrade-report",
            schema_version: SCHEMA_VERSION,
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
}
