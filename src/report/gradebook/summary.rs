//! `summary.json` and `summary.md`: how the cohort did, per exercise and per module, for the
//! mentor deciding what to teach again.
//!
//! Per exercise: how many started it, the pass rate and the mean score among them, the count
//! of each status, and the checks and the tests that fail most often with their most common
//! messages (the first line of each, so that one learner's numbers do not split a message in
//! two). Per module: the mean score of a learner over the module's exercises, not-started ones
//! counting 0. Everything is ordered (counts down, then names), so the same grades always give
//! the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use serde::Serialize;

use super::{Column, Gradebook, percent};
use crate::grade::{self, Status};
use crate::report::markdown::{code, points, text};

/// The checks, and the tests, listed per exercise.
const MOST_FAILING: usize = 5;
/// The messages listed per failing check or test.
const MOST_MESSAGES: usize = 3;
/// The characters of a message kept.
const MESSAGE_CHARS: usize = 160;

pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    schema: &'static str,
    schema_version: u32,
    pub learners: usize,
    /// Learners whose whole submission was refused (an unsafe or unreadable archive).
    pub refused: usize,
    pub max_score: f64,
    /// A learner's mean total, and as a percentage of the maximum.
    pub mean_score: f64,
    pub mean_percent: f64,
    pub modules: Vec<ModuleSummary>,
    pub exercises: Vec<ExerciseSummary>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ModuleSummary {
    pub number: u8,
    pub title: String,
    pub exercises: usize,
    pub max_score: f64,
    pub mean_score: f64,
    pub mean_percent: f64,
}

#[derive(Debug, Serialize)]
pub(crate) struct ExerciseSummary {
    pub id: String,
    pub module: u8,
    pub title: String,
    pub max_score: f64,
    pub started: usize,
    pub not_started: usize,
    pub passed: usize,
    /// Passed of those who started it (`null` when no one has).
    pub pass_rate: Option<f64>,
    /// The mean score of those who started it (`null` when no one has).
    pub mean_score: Option<f64>,
    /// How many learners' grade of it had each status.
    pub statuses: BTreeMap<&'static str, usize>,
    pub failing_checks: Vec<Failing>,
    pub failing_tests: Vec<Failing>,
}

/// A check (or a test of one) that did not pass for `count` learners.
#[derive(Debug, Serialize)]
pub(crate) struct Failing {
    pub check: String,
    /// The test's name, for a failing test.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    pub count: usize,
    pub messages: Vec<Message>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Message {
    pub text: String,
    pub count: usize,
}

impl Summary {
    pub(crate) fn of(gradebook: &Gradebook) -> Summary {
        let learners = gradebook.learners.len();
        let max_score = grade::round2(gradebook.columns.iter().map(|c| c.max_score).sum());
        let totals: Vec<f64> = (gradebook.learners.iter())
            .map(|l| l.report.summary.score)
            .collect();
        let mean_score = mean(&totals).unwrap_or(0.0);
        let modules = (gradebook.modules.iter())
            .filter_map(|m| {
                let columns: Vec<&Column> = (gradebook.columns.iter())
                    .filter(|c| c.module == m.number)
                    .collect();
                if columns.is_empty() {
                    return None;
                }
                let max_score = grade::round2(columns.iter().map(|c| c.max_score).sum());
                let scores: Vec<f64> = (gradebook.learners.iter())
                    .map(|l| {
                        (l.report.exercises.iter())
                            .filter(|e| e.module == m.number)
                            .map(|e| e.score)
                            .sum()
                    })
                    .collect();
                let mean_score = mean(&scores).unwrap_or(0.0);
                Some(ModuleSummary {
                    number: m.number,
                    title: m.title.clone(),
                    exercises: columns.len(),
                    max_score,
                    mean_score,
                    mean_percent: percent(mean_score, max_score),
                })
            })
            .collect();
        let refused = (gradebook.learners.iter())
            .filter(|l| l.refusal().is_some())
            .count();
        Summary {
            schema: "pygrade-batch-summary",
            schema_version: SCHEMA_VERSION,
            learners,
            refused,
            max_score,
            mean_score,
            mean_percent: percent(mean_score, max_score),
            modules,
            exercises: (gradebook.columns.iter())
                .map(|c| exercise(gradebook, c))
                .collect(),
        }
    }
}

fn exercise(gradebook: &Gradebook, column: &Column) -> ExerciseSummary {
    let graded: Vec<_> = gradebook.cells(column).flatten().collect();
    let started: Vec<_> = graded.iter().filter(|e| e.started).collect();
    let passed = started.iter().filter(|e| e.status == Status::Pass).count();
    let mut statuses = BTreeMap::new();
    for e in &graded {
        *statuses.entry(e.status.as_str()).or_insert(0) += 1;
    }
    let mut checks: Tally = BTreeMap::new();
    let mut tests: Tally = BTreeMap::new();
    for e in &started {
        for check in &e.checks {
            if check.status == Status::Pass {
                continue;
            }
            let messages = checks.entry((check.kind.to_string(), None)).or_default();
            messages.push(first_line(check.message.as_deref()));
            for test in check.failing_tests() {
                (tests
                    .entry((check.kind.to_string(), Some(test.name.clone())))
                    .or_default())
                .push(first_line(test.message.as_deref()));
            }
        }
    }
    let scores: Vec<f64> = started.iter().map(|e| e.score).collect();
    ExerciseSummary {
        id: column.id.clone(),
        module: column.module,
        title: column.title.clone(),
        max_score: column.max_score,
        started: started.len(),
        not_started: graded.len() - started.len(),
        passed,
        pass_rate: (!started.is_empty())
            .then(|| grade::round2(passed as f64 / started.len() as f64)),
        mean_score: mean(&scores),
        statuses,
        failing_checks: most_failing(checks),
        failing_tests: most_failing(tests),
    }
}

/// Messages by (check, test).
type Tally = BTreeMap<(String, Option<String>), Vec<String>>;

fn most_failing(tally: Tally) -> Vec<Failing> {
    let mut failing: Vec<Failing> = tally
        .into_iter()
        .map(|((check, test), messages)| Failing {
            check,
            test,
            count: messages.len(),
            messages: most_common(messages),
        })
        .collect();
    // Stable: among equal counts, the (check, test) order of the tally stays.
    failing.sort_by_key(|f| std::cmp::Reverse(f.count));
    failing.truncate(MOST_FAILING);
    failing
}

fn most_common(messages: Vec<String>) -> Vec<Message> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for m in messages.into_iter().filter(|m| !m.is_empty()) {
        *counts.entry(m).or_insert(0) += 1;
    }
    let mut common: Vec<Message> = counts
        .into_iter()
        .map(|(text, count)| Message { text, count })
        .collect();
    common.sort_by_key(|m| std::cmp::Reverse(m.count));
    common.truncate(MOST_MESSAGES);
    common
}

/// A message's first line, without control characters, cut to [`MESSAGE_CHARS`].
fn first_line(message: Option<&str>) -> String {
    let line = message
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default();
    let clean: String = line.chars().filter(|c| !c.is_control()).collect();
    match clean.char_indices().nth(MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean,
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| grade::round2(values.iter().sum::<f64>() / values.len() as f64))
}

pub(crate) fn write_json(summary: &Summary, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, summary)?;
    writeln!(out)
}

/// The summary as GitHub-flavoured Markdown: the cohort's figures, a table per module and per
/// exercise, then what fails most often in each exercise. Learner text is escaped as in the
/// `markdown` format.
pub(crate) fn write_markdown(summary: &Summary, out: &mut dyn Write) -> std::io::Result<()> {
    let mut doc = String::new();
    let _ = writeln!(
        doc,
        "# Cohort summary\n\n{} learners{}: a mean of {} of {} points ({}%).\n",
        summary.learners,
        match summary.refused {
            0 => String::new(),
            n => format!(" ({n} refused)"),
        },
        points(summary.mean_score),
        points(summary.max_score),
        summary.mean_percent
    );
    doc.push_str(
        "## Modules\n\n| Module | Exercises | Mean score | Mean % |\n|---|---:|---:|---:|\n",
    );
    for m in &summary.modules {
        let _ = writeln!(
            doc,
            "| {} {} | {} | {} of {} | {}% |",
            m.number,
            text(&m.title),
            m.exercises,
            points(m.mean_score),
            points(m.max_score),
            m.mean_percent
        );
    }
    doc.push_str("\n## Exercises\n\n| Exercise | Started | Passed | Pass rate | Mean score |\n|---|---:|---:|---:|---:|\n");
    for e in &summary.exercises {
        let _ = writeln!(
            doc,
            "| {} {} | {} of {} | {} | {} | {} |",
            code(&e.id),
            text(&e.title),
            e.started,
            e.started + e.not_started,
            e.passed,
            e.pass_rate
                .map_or("–".into(), |r| format!("{}%", grade::round2(100.0 * r))),
            e.mean_score.map_or("–".into(), |s| format!(
                "{} of {}",
                points(s),
                points(e.max_score)
            )),
        );
    }
    let failing: Vec<&ExerciseSummary> = (summary.exercises.iter())
        .filter(|e| !e.failing_checks.is_empty())
        .collect();
    if !failing.is_empty() {
        doc.push_str("\n## What fails most often\n");
        for e in failing {
            let _ = writeln!(doc, "\n### {} {}\n", code(&e.id), text(&e.title));
            for f in e.failing_checks.iter().chain(&e.failing_tests) {
                let what = match &f.test {
                    Some(test) => format!("test {} ({})", text(test), text(&f.check)),
                    None => format!("check {}", text(&f.check)),
                };
                let _ = writeln!(doc, "- {what}: {} learners", f.count);
                for m in &f.messages {
                    let _ = writeln!(doc, "  - {}× {}", m.count, text(&m.text));
                }
            }
        }
    }
    out.write_all(doc.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_exercise_and_module_figures_count_the_started_and_name_what_fails() {
        let summary = Summary::of(&super::super::sample::gradebook());
        assert_eq!((summary.learners, summary.refused), (3, 1));
        // Totals 14, 6 and 0 of 14.
        assert_eq!((summary.mean_score, summary.mean_percent), (6.67, 47.64));
        let word_count = &summary.exercises[0];
        assert_eq!(
            (word_count.started, word_count.passed, word_count.pass_rate),
            (3, 1, Some(0.33))
        );
        assert_eq!(word_count.mean_score, Some(5.33));
        assert_eq!(word_count.failing_checks[0].check, "pytest");
        assert_eq!(
            word_count.failing_tests[0].test.as_deref(),
            Some("counts words")
        );
        assert_eq!(
            word_count.failing_tests[0].messages[0].text,
            "AssertionError: assert 2 == 3"
        );
        let money = &summary.exercises[1];
        assert_eq!((money.started, money.not_started), (2, 1));
        assert_eq!(money.statuses["not-started"], 1);
        let oop = &summary.modules[1];
        assert_eq!((oop.mean_score, oop.mean_percent), (1.33, 33.25));
    }

    #[test]
    fn the_markdown_escapes_learner_text() {
        let mut gradebook = super::super::sample::gradebook();
        let bob = &mut gradebook.learners[1].report.exercises[0].checks[0];
        bob.tests[1].message = Some("<script>alert(1)</script> | ok".into());
        let mut out = Vec::new();
        write_markdown(&Summary::of(&gradebook), &mut out).unwrap();
        let doc = String::from_utf8(out).unwrap();
        assert!(!doc.contains("<script>"), "{doc}");
        assert!(doc.contains("| Module | Exercises |"), "{doc}");
        assert!(
            doc.contains("test counts words (pytest): 1 learners"),
            "{doc}"
        );
    }
}
