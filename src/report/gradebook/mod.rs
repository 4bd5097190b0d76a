//! A cohort's grades: every learner's report of a batch, and the files a batch leaves.
//!
//! [`Book`] takes one [`Report`] per learner, in name order, over the same exercises in bank
//! order, and keeps only what the files need of each (a row, set aside on disk); a
//! learner whose submission was refused as a whole (an archive that is no safe workspace) has
//! every exercise `rejected`, with the reason. The files are rendered from the reports alone,
//! so a merge of shards, which reads the learners' reports back, writes exactly what one run
//! writes: `gradebook.csv` ([`table`]), `summary.json` and `summary.md` ([`summary`]),
//! `report.html` ([`html`]), and each learner's `learners/<name>.json` and `.md` (the `json`
//! and `markdown` formats).

pub(crate) mod html;
pub(crate) mod summary;
pub(crate) mod table;

use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::{ExerciseReport, Report, Tools};
pub(crate) use crate::bank::outline::Module;
use crate::files::write_atomically;
use crate::grade::{CheckResult, Status};

/// Bytes written as the learners come, kept in an unnamed temporary file rather than in
/// memory (a cohort's rows grow with it), to be copied into the file they belong to at the
/// end.
pub(crate) struct Spill {
    file: std::io::BufWriter<std::fs::File>,
}

impl Spill {
    pub(crate) fn new() -> std::io::Result<Spill> {
        Ok(Spill {
            file: std::io::BufWriter::new(tempfile::tempfile()?),
        })
    }

    /// Copies every byte written into `out`.
    pub(crate) fn copy_to(self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Seek;
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        std::io::copy(&mut file, out)?;
        Ok(())
    }
}

impl std::io::Write for Spill {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.file.write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// One exercise of the bank, as a gradebook column.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Column {
    pub id: String,
    pub module: u8,
    pub module_title: String,
    pub title: String,
    pub max_score: f64,
}

/// One learner's row.
#[derive(Debug, Clone)]
pub(crate) struct Learner {
    pub name: String,
    pub report: Report,
}

/// A batch's grades, all at once: the tests' way to make the files ([`Book`] makes them one
/// learner at a time).
#[cfg(test)]
#[derive(Debug, Clone)]
pub(crate) struct Gradebook {
    pub modules: Vec<Module>,
    pub columns: Vec<Column>,
    /// By name.
    pub learners: Vec<Learner>,
}

#[cfg(test)]
impl Gradebook {
    /// The gradebook of `learners`, sorted by name.
    pub(crate) fn new(
        modules: Vec<Module>,
        columns: Vec<Column>,
        mut learners: Vec<Learner>,
    ) -> Gradebook {
        learners.sort_by(|a, b| a.name.cmp(&b.name));
        Gradebook {
            modules,
            columns,
            learners,
        }
    }
}

/// The cohort's files, made as the learners come, one at a time in name order, so that
/// grading a cohort never needs more than one learner's report in memory at once (the rows
/// made of each wait in a [`Spill`]).
pub(crate) struct Book<'g> {
    table: table::Table<'g>,
    tally: summary::Tally<'g>,
    page: html::Rows<'g>,
    last: Option<String>,
}

impl<'g> Book<'g> {
    pub(crate) fn new(modules: &'g [Module], columns: &'g [Column]) -> Result<Book<'g>> {
        Ok(Book {
            table: table::Table::new(columns)?,
            tally: summary::Tally::new(modules, columns),
            page: html::Rows::new(columns)?,
            last: None,
        })
    }

    /// Adds the next learner, whose name comes after the last one's.
    pub(crate) fn add(&mut self, learner: &Learner) -> Result<()> {
        if let Some(last) = self.last.replace(learner.name.clone()) {
            anyhow::ensure!(
                last < learner.name,
                "learners out of order: {} after {last}",
                learner.name
            );
        }
        self.table.add(learner)?;
        self.tally.add(learner);
        self.page.add(learner)?;
        Ok(())
    }

    /// Writes `gradebook.csv`, `summary.json`, `summary.md` and `report.html` into `out`, and
    /// returns the summary.
    pub(crate) fn write(self, out: &Path) -> Result<summary::Summary> {
        write_atomically(&out.join("gradebook.csv"), |w| self.table.finish(w))?;
        let summary = self.tally.finish();
        write_atomically(&out.join("summary.json"), |w| {
            summary::write_json(&summary, w)
        })?;
        write_atomically(&out.join("summary.md"), |w| {
            summary::write_markdown(&summary, w)
        })?;
        write_atomically(&out.join("report.html"), |w| self.page.finish(&summary, w))?;
        Ok(summary)
    }
}

/// The grade of an exercise whose submission was refused before anything ran, with `reason`:
/// 0 points.
pub(crate) fn refused(column: &Column, reason: &str) -> ExerciseReport {
    ExerciseReport {
        id: column.id.clone(),
        module: column.module,
        module_title: column.module_title.clone(),
        title: column.title.clone(),
        status: Status::Rejected,
        started: true,
        score: 0.0,
        max_score: column.max_score,
        checks: vec![
            CheckResult::whole(REFUSAL, Status::Rejected, column.max_score)
                .with_message(format!("submission refused: {reason}")),
        ],
        not_graded: Vec::new(),
    }
}

/// The check a refused submission's grade holds in place of the exercise's.
pub(crate) const REFUSAL: &str = "submission";

impl Learner {
    /// Why the learner's submission was refused, for the first exercise it was (the whole
    /// submission, when an archive was): `None` when every exercise was graded.
    pub(crate) fn refusal(&self) -> Option<&str> {
        (self.report.exercises.iter())
            .flat_map(|e| &e.checks)
            .find(|c| c.kind == REFUSAL)
            .map(|c| c.message.as_deref().unwrap_or_default())
    }
}

/// The report of a learner whose whole submission was refused: every exercise `rejected`,
/// with `reason`.
pub(crate) fn rejected(name: &str, tools: Tools, columns: &[Column], reason: &str) -> Report {
    let exercises = columns.iter().map(|c| refused(c, reason)).collect();
    let mut report = Report::new(tools, exercises);
    report.learner = Some(name.to_string());
    report
}

/// The most points `columns` hold together.
pub(crate) fn max_total<'c>(columns: impl IntoIterator<Item = &'c Column>) -> f64 {
    crate::grade::round2(columns.into_iter().map(|c| c.max_score).sum())
}

/// `part` of `whole` as a percentage with two decimals (0 of nothing is 0).
pub(crate) fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        crate::grade::round2(100.0 * part / whole)
    } else {
        0.0
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! A small cohort for the files' tests: a learner who passed, one who failed, one who has
    //! not started, and one refused.
    use super::*;
    use crate::report::sample;

    pub(crate) fn gradebook() -> Gradebook {
        let tools = sample::report().tools;
        let columns = vec![
            Column {
                id: "01-foundations/01-word-count".into(),
                module: 1,
                module_title: "Python Foundations (Basics)".into(),
                title: "Word count".into(),
                max_score: 10.0,
            },
            Column {
                id: "02-oop/01-money".into(),
                module: 2,
                module_title: "Object-Oriented Python".into(),
                title: "Money".into(),
                max_score: 4.0,
            },
        ];
        let modules = vec![
            Module {
                number: 1,
                title: "Python Foundations (Basics)".into(),
                topics: Vec::new(),
            },
            Module {
                number: 2,
                title: "Object-Oriented Python".into(),
                topics: Vec::new(),
            },
        ];
        let exercise = |column: &Column, status: Status, score: f64, checks: Vec<CheckResult>| {
            ExerciseReport {
                id: column.id.clone(),
                module: column.module,
                module_title: column.module_title.clone(),
                title: column.title.clone(),
                status,
                started: status != Status::NotStarted,
                score,
                max_score: column.max_score,
                checks,
                not_graded: Vec::new(),
            }
        };
        let passed = |c: &Column| {
            exercise(
                c,
                Status::Pass,
                c.max_score,
                vec![CheckResult::whole("pytest", Status::Pass, c.max_score)],
            )
        };
        let learner = |name: &str, exercises: Vec<ExerciseReport>| {
            let mut report = Report::new(tools.clone(), exercises);
            report.learner = Some(name.into());
            Learner {
                name: name.into(),
                report,
            }
        };
        let mut wrong = crate::grade::TestResult::new("counts words", Status::Fail);
        wrong.message = Some("AssertionError: assert 2 == 3".into());
        let mut failing = CheckResult::from_tests(
            "pytest",
            Status::Fail,
            8.0,
            vec![crate::grade::TestResult::new("splits", Status::Pass), wrong],
        )
        .with_message("1 of 2 tests did not pass");
        failing.score = 4.0;
        let mypy = CheckResult::whole("mypy", Status::Pass, 2.0);
        let not_started = CheckResult::whole("pytest", Status::NotStarted, 4.0)
            .with_message("not started: the files are still the starter's");
        let learners = vec![
            learner("zoe", columns.iter().map(passed).collect()),
            learner(
                "bob",
                vec![
                    exercise(&columns[0], Status::Fail, 6.0, vec![failing, mypy]),
                    exercise(&columns[1], Status::NotStarted, 0.0, vec![not_started]),
                ],
            ),
            Learner {
                name: "=cmd".into(),
                report: rejected(
                    "=cmd",
                    tools.clone(),
                    &columns,
                    "the archive's member `../x` would land outside its folder",
                ),
            },
        ];
        Gradebook::new(modules, columns, learners)
    }
}
