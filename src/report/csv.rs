//! The CSV report: a header, then one row per check, for a spreadsheet or a gradebook. The
//! `csv` crate quotes what needs quoting.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some a tab or a
//! carriage return) as a formula, so every such cell gets a leading `'`: a learner's message
//! or test name cannot run anything in the mentor's spreadsheet. The `learner` column holds
//! the learner's name in a batch's reports, and is empty in a workspace's own.

use std::io::Write;

use super::{Emitter, Report};

pub(crate) struct Csv;

const HEADER: [&str; 10] = [
    "learner",
    "exercise",
    "module",
    "title",
    "exercise_status",
    "check",
    "check_status",
    "score",
    "max_score",
    "message",
];

impl Emitter for Csv {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let mut writer = ::csv::Writer::from_writer(out);
        writer.write_record(HEADER)?;
        for e in &report.exercises {
            let checks: Vec<[String; 5]> = e
                .checks
                .iter()
                .map(|check| {
                    let message = check.message.as_deref().unwrap_or_default();
                    [
                        check.kind.to_string(),
                        check.status.as_str().to_string(),
                        check.score.to_string(),
                        check.max_score.to_string(),
                        message.lines().next().unwrap_or_default().to_string(),
                    ]
                })
                .collect();
            // An exercise without checks still has its row, with the check's cells empty.
            let rows = if checks.is_empty() {
                vec![Default::default()]
            } else {
                checks
            };
            for check in rows {
                let exercise = [
                    report.learner.clone().unwrap_or_default(),
                    e.id.clone(),
                    e.module.to_string(),
                    e.title.clone(),
                    e.status.as_str().to_string(),
                ];
                let record = exercise.into_iter().chain(check);
                writer.write_record(record.map(|cell| cell_text(&cell)))?;
            }
        }
        writer.flush()
    }
}

/// A cell as a spreadsheet may read it safely: control characters but tabs dropped, and a
/// `'` before a first character that would make it a formula.
pub(super) fn cell_text(raw: &str) -> String {
    let clean: String = raw
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\r'))
        .collect();
    match clean.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{clean}"),
        _ => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        Csv.emit(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_report_matches_its_snapshot() {
        insta::assert_snapshot!(render(&super::super::sample::report()));
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_start_with_a_quote() {
        for (raw, cell) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("\u{1b}=1", "'=1"),
            ("2 of 4 tests", "2 of 4 tests"),
        ] {
            assert_eq!(cell_text(raw), cell, "{raw:?}");
        }
    }

    #[test]
    fn hostile_text_stays_in_its_cell() {
        let mut report = super::super::sample::report();
        report.exercises[0].title = "=HYPERLINK(\"http://x\",\"a, b\")".into();
        report.exercises[0].checks[0].message =
            Some("=cmd, \"quoted\" | 100%\nsecond line <script>".into());
        let text = render(&report);
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4 + 1 + 1);
        assert!(rows.iter().all(|r| r.len() == HEADER.len()));
        assert_eq!(&rows[0][3], "'=HYPERLINK(\"http://x\",\"a, b\")");
        assert_eq!(&rows[0][9], "'=cmd, \"quoted\" | 100%");
        assert!(!text.contains("second line"));
    }
}
