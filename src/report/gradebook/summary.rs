//! `summary.json` and `summary.md`: how the cohort did, per exercise and per module, for the
//! mentor deciding what to teach again.
//!
//! Per exercise: how many started it, the pass rate and the mean score among them, the count
//! of each status, and the checks and the tests that fail most often with their most common
//! messages (the first line of each, so that one learner's numbers do not split a message in
//! two; among the first 32 different ones of each check or test, in learner order). Per
//! module: the mean score of a learner over the module's exercises, not-started ones counting
//! 0. Everything is ordered (counts down, then names), so the same grades always give
//! the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use serde::Serialize;

#[cfg(test)]
use super::Gradebook;
use super::{Column, Learner, Module, max_total, percent};
use crate::grade::{self, Status};
use crate::report::ExerciseReport;
use crate::report::markdown::{code, points, text};

/// The checks, and the tests, listed per exercise.
const MOST_FAILING: usize = 5;
/// The messages listed per failing check or test.
const MOST_MESSAGES: usize = 3;
/// The characters of a message kept.
const MESSAGE_CHARS: usize = 160;
/// The different messages counted for one check or test (in learner order): any later new one
/// counts as a failure only.
const MESSAGES_COUNTED: usize = 32;

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

#[cfg(test)]
impl Summary {
    pub(crate) fn of(gradebook: &Gradebook) -> Summary {
        let mut tally = Tally::new(&gradebook.modules, &gradebook.columns);
        for learner in &gradebook.learners {
            tally.add(learner);
        }
        tally.finish()
    }
}

/// The summary's figures, counted one learner at a time, so that a cohort's summary needs no
/// more than one learner's report in memory at once. Sums run in learner order, so the same
/// grades always give the same figures.
pub(crate) struct Tally<'g> {
    modules: &'g [Module],
    columns: &'g [Column],
    learners: usize,
    refused: usize,
    /// The sum of the learners' totals.
    total: f64,
    /// The sum, over the learners, of each module's score (by `modules`).
    module_totals: Vec<f64>,
    exercises: Vec<ExerciseTally>,
}

/// One column's figures so far.
#[derive(Default)]
struct ExerciseTally {
    graded: usize,
    started: usize,
    passed: usize,
    /// The sum of the scores of those who started it.
    scores: f64,
    statuses: BTreeMap<&'static str, usize>,
    checks: Failures,
    tests: Failures,
}

impl<'g> Tally<'g> {
    pub(crate) fn new(modules: &'g [Module], columns: &'g [Column]) -> Tally<'g> {
        Tally {
            modules,
            columns,
            learners: 0,
            refused: 0,
            total: 0.0,
            module_totals: vec![0.0; modules.len()],
            exercises: columns.iter().map(|_| ExerciseTally::default()).collect(),
        }
    }

    pub(crate) fn add(&mut self, learner: &Learner) {
        let report = &learner.report;
        self.learners += 1;
        self.refused += usize::from(learner.refusal().is_some());
        self.total += report.summary.score;
        for (m, sum) in self.modules.iter().zip(&mut self.module_totals) {
            *sum += (report.exercises.iter())
                .filter(|e| e.module == m.number)
                .map(|e| e.score)
                .sum::<f64>();
        }
        for (column, tally) in self.columns.iter().zip(&mut self.exercises) {
            if let Some(e) = report.exercises.iter().find(|e| e.id == column.id) {
                tally.add(e);
            }
        }
    }

    pub(crate) fn finish(self) -> Summary {
        let max_score = max_total(self.columns);
        let mean_of = |sum: f64| mean(sum, self.learners).unwrap_or(0.0);
        let mean_score = mean_of(self.total);
        let modules = (self.modules.iter().zip(&self.module_totals))
            .filter_map(|(m, &sum)| {
                let columns: Vec<&Column> = (self.columns.iter())
                    .filter(|c| c.module == m.number)
                    .collect();
                if columns.is_empty() {
                    return None;
                }
                let max_score = max_total(columns.iter().copied());
                let mean_score = mean_of(sum);
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
        Summary {
            schema: "pygrade-batch-summary",
            schema_version: SCHEMA_VERSION,
            learners: self.learners,
            refused: self.refused,
            max_score,
            mean_score,
            mean_percent: percent(mean_score, max_score),
            modules,
            exercises: (self.columns.iter().zip(self.exercises))
                .map(|(column, tally)| tally.finish(column))
                .collect(),
        }
    }
}

impl ExerciseTally {
    fn add(&mut self, e: &ExerciseReport) {
        self.graded += 1;
        *self.statuses.entry(e.status.as_str()).or_insert(0) += 1;
        if !e.started {
            return;
        }
        self.started += 1;
        self.passed += usize::from(e.status == Status::Pass);
        self.scores += e.score;
        for check in &e.checks {
            if check.status == Status::Pass {
                continue;
            }
            self.checks
                .add((check.kind.to_string(), None), check.message.as_deref());
            for test in check.failing_tests() {
                self.tests.add(
                    (check.kind.to_string(), Some(test.name.clone())),
                    test.message.as_deref(),
                );
            }
        }
    }

    fn finish(self, column: &Column) -> ExerciseSummary {
        ExerciseSummary {
            id: column.id.clone(),
            module: column.module,
            title: column.title.clone(),
            max_score: column.max_score,
            started: self.started,
            not_started: self.graded - self.started,
            passed: self.passed,
            pass_rate: (self.started > 0)
                .then(|| grade::round2(self.passed as f64 / self.started as f64)),
            mean_score: mean(self.scores, self.started),
            statuses: self.statuses,
            failing_checks: most_failing(self.checks),
            failing_tests: most_failing(self.tests),
        }
    }
}

/// By (check, test): how often it failed, and how often with each message (the first line of
/// each; empty ones are counted as failures, not as messages).
#[derive(Default)]
struct Failures(BTreeMap<(String, Option<String>), (usize, Counts)>);

/// How often each message came, in the order they first came (a short list: a map's nodes
/// would take more room than its few entries).
type Counts = Vec<(String, usize)>;

impl Failures {
    fn add(&mut self, what: (String, Option<String>), message: Option<&str>) {
        let (count, messages) = self.0.entry(what).or_default();
        *count += 1;
        let line = first_line(message);
        if line.is_empty() {
            return;
        }
        let room = messages.len() < MESSAGES_COUNTED;
        match messages.iter_mut().find(|(text, _)| *text == line) {
            Some((_, seen)) => *seen += 1,
            None if room => messages.push((line, 1)),
            // A cohort's many different messages (each with its learner's own numbers) would
            // make the summary's memory grow with the cohort; the common ones come early.
            None => {}
        }
    }
}

fn most_failing(failures: Failures) -> Vec<Failing> {
    let mut failing: Vec<Failing> = (failures.0.into_iter())
        .map(|((check, test), (count, messages))| Failing {
            check,
            test,
            count,
            messages: most_common(messages),
        })
        .collect();
    // Stable: among equal counts, the (check, test) order of the tally stays.
    failing.sort_by_key(|f| std::cmp::Reverse(f.count));
    failing.truncate(MOST_FAILING);
    failing
}

fn most_common(mut counts: Counts) -> Vec<Message> {
    // Among equal counts, the messages in text order.
    counts.sort();
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

/// The mean of `count` values that add up to `sum`.
fn mean(sum: f64, count: usize) -> Option<f64> {
    (count > 0).then(|| grade::round2(sum / count as f64))
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
    fn a_cohorts_many_different_messages_are_counted_up_to_a_limit() {
        let mut failures = Failures::default();
        let test = || ("pytest".to_string(), Some("counts words".to_string()));
        for learner in 0..200 {
            failures.add(test(), Some("AssertionError: wrong count"));
            failures.add(test(), Some(&format!("AssertionError: {learner} != 3")));
        }
        let messages = &failures.0[&test()].1;
        assert_eq!(messages.len(), MESSAGES_COUNTED);
        let failing = most_failing(failures);
        assert_eq!(failing[0].count, 400, "every failure counts");
        assert_eq!(failing[0].messages[0].text, "AssertionError: wrong count");
        assert_eq!(failing[0].messages[0].count, 200);
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
