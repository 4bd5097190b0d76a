//! The Exercism test-runner interface, version 3: the `results.json` of one exercise, as
//! Exercism's runners (and GitHub Classroom's Python grader) write it.
//!
//! Exercism grades one exercise a run, so a report of any other number of exercises becomes an
//! `error` result that says how to grade one. The `tests` are the exercise's pytest tests in
//! file order; when hidden tests ran unrevealed, one "hidden tests" entry with their count;
//! then one entry per other check ("type checking (mypy)", "program output (output)", ...).
//! The run is an `error`, with no `tests`, only when no test could run: the exercise is not
//! started, or a pytest check ran none of its tests (a syntax or import error, a crash or a
//! limit before the first test, a rejected run). pygrade's own verdicts that the interface has
//! no name for (`timeout`, the limits, `not-run`, `inconclusive`) are `error`s whose message
//! names them. A skip left out of the points is left out of `tests`: Exercism has no skip.
//!
//! `test_code` and `task_id` are optional and the report holds neither, so they are left out.
//! The file stays within Exercism's 500 KB: each message is cut shorter until it fits.
//!
//! `pygrade exercism-run`, pygrade as Exercism's own test runner, writes its `results.json`
//! with the same types, truncation and size limit ([`Results`], [`cut_output`], [`to_json`]).

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{Emitter, ExerciseReport, Report};
use crate::grade::{CheckResult, Status, TestResult};

/// The interface version written.
const VERSION: u32 = 3;
/// The most characters of a test's `output`, notice included.
const OUTPUT_CHARS: usize = 500;
/// What ends an output cut to [`OUTPUT_CHARS`]: the notice of exercism/python-test-runner
/// (`runner/data.py`, `Test.output`: `truncate_msg = " [Output was truncated. Please limit to
/// 500 chars]"`, the output cut to 500 characters, notice included, after `strip()`).
const OUTPUT_NOTICE: &str = " [Output was truncated. Please limit to 500 chars]";
/// The most characters of the top-level `message` the interface allows.
const MESSAGE_CHARS: usize = 65_535;
/// The largest `results.json` Exercism accepts (500 KB, counted in thousands to be safe).
const MAX_BYTES: usize = 500_000;
/// The most characters of a test's `message`, tried in turn until the file fits.
const TEST_MESSAGE_CHARS: [usize; 4] = [4_000, 1_000, 250, 60];
/// mypy errors and failing cases told in a check's message before "... and N more".
const SHOWN: usize = 10;

pub(crate) struct Exercism;

/// A `results.json`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Results {
    pub version: u32,
    pub status: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Left out when `None`; Exercism's Python runner writes an empty list with an `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<Vec<Test>>,
}

/// One test of a `results.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Test {
    pub name: String,
    pub status: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the learner's code printed during the test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The body of the test function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_code: Option<String>,
    /// The exercise's task the test is of (0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Pass,
    Fail,
    Error,
}

impl Outcome {
    fn of(status: Status) -> Outcome {
        match status {
            Status::Pass => Outcome::Pass,
            Status::Fail | Status::Skipped => Outcome::Fail,
            _ => Outcome::Error,
        }
    }
}

impl Emitter for Exercism {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(&to_json(&results(report))?)?;
        writeln!(out)
    }
}

/// `results` as the JSON of a `results.json` within Exercism's 500 KB: each test's message is
/// cut shorter until the file fits, and results that do not fit even so become an `error`.
pub(crate) fn to_json(results: &Results) -> serde_json::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for chars in TEST_MESSAGE_CHARS {
        bytes = serde_json::to_vec_pretty(&results.with_messages_cut_to(chars))?;
        if bytes.len() < MAX_BYTES {
            break;
        }
    }
    if bytes.len() >= MAX_BYTES {
        let too_many = Results::error(format!(
            "the results of {} tests do not fit in the 500 KB that Exercism accepts",
            results.tests.as_ref().map_or(0, Vec::len)
        ));
        bytes = serde_json::to_vec_pretty(&too_many)?;
    }
    Ok(bytes)
}

impl Results {
    /// The results of a run in which no test could run, and why.
    pub(crate) fn error(message: impl Into<String>) -> Results {
        Results {
            version: VERSION,
            status: Outcome::Error,
            message: Some(cut(&message.into(), MESSAGE_CHARS)),
            tests: None,
        }
    }

    /// These results with every test's message cut to `chars` characters.
    fn with_messages_cut_to(&self, chars: usize) -> Results {
        let tests = self.tests.as_ref().map(|tests| {
            tests
                .iter()
                .map(|test| Test {
                    message: test.message.as_deref().map(|m| cut(m, chars)),
                    ..test.clone()
                })
                .collect()
        });
        Results {
            message: self.message.as_deref().map(|m| cut(m, MESSAGE_CHARS)),
            tests,
            ..*self
        }
    }
}

fn results(report: &Report) -> Results {
    let [exercise] = report.exercises.as_slice() else {
        return Results::error(format!(
            "the exercism format reports exactly one exercise, and this run graded {}: grade one with `pygrade check EXERCISE --format exercism`",
            report.exercises.len()
        ));
    };
    if !exercise.started {
        return Results::error(
            "not started: the files are still the starter's; solve the exercise, then run the tests again",
        );
    }
    if let Some(check) = exercise.checks.iter().find(|c| ran_no_test(c)) {
        return Results::error(message_of(check.status, check.message.as_deref()));
    }
    let tests = tests_of(exercise);
    if tests.is_empty() {
        return Results::error("no test was graded");
    }
    let passed = tests.iter().all(|t| t.status == Outcome::Pass);
    Results {
        version: VERSION,
        status: if passed { Outcome::Pass } else { Outcome::Fail },
        message: None,
        tests: Some(tests),
    }
}

/// A pytest check that did not pass and in which no test ran: the code could not be tested.
fn ran_no_test(check: &CheckResult) -> bool {
    check.kind == "pytest"
        && check.status != Status::Pass
        && check.tests.iter().all(|t| t.status == Status::NotRun)
}

/// The pytest tests in file order, the hidden tests' count, then one entry per other check.
fn tests_of(exercise: &ExerciseReport) -> Vec<Test> {
    let mut tests = Vec::new();
    for check in exercise.checks.iter().filter(|c| c.kind == "pytest") {
        let graded = check
            .tests
            .iter()
            .filter(|t| !(t.status == Status::Skipped && t.weight == 0.0));
        tests.extend(graded.map(test_entry));
        // Unless revealed, hidden tests are only a count: so is their entry.
        if let Some(hidden) = check.hidden
            && !check.tests.iter().any(|t| t.hidden)
        {
            let failed = hidden.total.saturating_sub(hidden.passed);
            tests.push(Test {
                name: "hidden tests".into(),
                status: if failed == 0 {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                },
                message: (failed > 0)
                    .then(|| format!("{failed} of {} hidden tests did not pass", hidden.total)),
                output: None,
                test_code: None,
                task_id: None,
            });
        }
    }
    for check in exercise.checks.iter().filter(|c| c.kind != "pytest") {
        tests.push(check_entry(check));
    }
    tests
}

fn test_entry(test: &TestResult) -> Test {
    let status = Outcome::of(test.status);
    let name = if test.hidden {
        format!("{} (hidden)", test.name)
    } else {
        test.name.clone()
    };
    Test {
        name,
        status,
        message: (status != Outcome::Pass)
            .then(|| message_of(test.status, test.message.as_deref())),
        output: output_of(test),
        test_code: None,
        task_id: None,
    }
}

/// A check other than pytest, as one test: its verdict and message, with mypy's errors and
/// the failing cases (their diffs too) when it did not pass.
fn check_entry(check: &CheckResult) -> Test {
    let status = Outcome::of(check.status);
    let message = (status != Outcome::Pass).then(|| {
        let mut text = message_of(check.status, check.message.as_deref());
        let errors = check.errors();
        for d in errors.iter().take(SHOWN) {
            let code = d
                .code
                .as_deref()
                .map(|c| format!("  [{c}]"))
                .unwrap_or_default();
            let column = d.column.map(|c| format!(":{c}")).unwrap_or_default();
            text.push_str(&format!(
                "\n{}:{}{column}: {}{code}",
                d.file, d.line, d.message
            ));
        }
        let failing = check.failing_tests();
        for t in failing.iter().take(SHOWN) {
            text.push_str(&format!(
                "\n\n{}: {}",
                t.name,
                message_of(t.status, t.message.as_deref())
            ));
            if let Some(diff) = &t.diff {
                // Trailing spaces may be the very difference: only the last newline goes.
                text.push_str(&format!("\n{}", diff.strip_suffix('\n').unwrap_or(diff)));
            }
        }
        let more = errors.len().saturating_sub(SHOWN) + failing.len().saturating_sub(SHOWN);
        if more > 0 {
            text.push_str(&format!("\n... and {more} more"));
        }
        text
    });
    Test {
        name: check_name(check.kind),
        status,
        message,
        output: None,
        test_code: None,
        task_id: None,
    }
}

/// The name of a check's entry: what it checks, and its kind.
fn check_name(kind: &str) -> String {
    match kind {
        "mypy" => "type checking (mypy)".into(),
        "output" => "program output (output)".into(),
        "timing" => "speed (timing)".into(),
        "memory" => "memory use (memory)".into(),
        "lint" => "style (lint)".into(),
        "constraints" => "the exercise's rules (constraints)".into(),
        "predict" => "predictions (predict)".into(),
        other => other.into(),
    }
}

/// The message of a test or check that did not pass. A verdict the interface has no name for
/// is said first, unless the message already starts with it.
fn message_of(status: Status, message: Option<&str>) -> String {
    let message = message.map(str::trim).filter(|m| !m.is_empty());
    let named = matches!(
        status,
        Status::Fail | Status::Error | Status::Timeout | Status::NotRun
    );
    match message {
        Some(m) if named || m.starts_with(status.as_str()) => m.into(),
        Some(m) => format!("{}: {m}", status.as_str()),
        None => match status {
            Status::Fail => "this test did not pass".into(),
            Status::NotRun => "not run: the test process ended before this test".into(),
            Status::Timeout => "timed out".into(),
            other => other.as_str().into(),
        },
    }
}

/// What the test printed, as the Python runner gives it: stripped, and cut to
/// [`OUTPUT_CHARS`] with [`OUTPUT_NOTICE`] at the end. `None` when it printed nothing.
fn output_of(test: &TestResult) -> Option<String> {
    cut_output(&test.output, test.output_truncated)
}

/// What a test printed, as the Python runner gives it: stripped, and cut to [`OUTPUT_CHARS`]
/// with [`OUTPUT_NOTICE`] at the end when longer or already `truncated`. `None` when it
/// printed nothing.
pub(crate) fn cut_output(output: &str, truncated: bool) -> Option<String> {
    let printed = output.trim();
    if printed.is_empty() {
        return None;
    }
    if printed.chars().count() <= OUTPUT_CHARS && !truncated {
        return Some(printed.into());
    }
    let kept: String = printed
        .chars()
        .take(OUTPUT_CHARS - OUTPUT_NOTICE.chars().count())
        .collect();
    Some(kept + OUTPUT_NOTICE)
}

/// `text` cut to at most `chars` characters, the last of them a notice of the cut.
fn cut(text: &str, chars: usize) -> String {
    const NOTICE: &str = " [... cut]";
    if text.chars().count() <= chars {
        return text.into();
    }
    let kept: String = text
        .chars()
        .take(chars.saturating_sub(NOTICE.len()))
        .collect();
    kept + NOTICE
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn render(report: &Report) -> serde_json::Value {
        let mut out = Vec::new();
        Exercism.emit(report, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    /// The report of the `index`th exercise of `report` alone.
    fn only(report: Report, index: usize) -> Report {
        let exercise = report.exercises[index].clone();
        Report::new(report.tools, vec![exercise])
    }

    #[test]
    fn one_exercise_matches_its_snapshot() {
        insta::assert_json_snapshot!(render(&only(sample::report(), 0)));
    }

    #[test]
    fn the_sample_report_of_three_exercises_matches_its_snapshot() {
        insta::assert_json_snapshot!(render(&sample::report()));
    }

    #[test]
    fn more_than_one_exercise_is_an_error_that_says_how_to_grade_one() {
        let value = render(&sample::report());
        assert_eq!(value["version"], 3);
        assert_eq!(value["status"], "error");
        let message = value["message"].as_str().unwrap();
        assert!(message.contains("exactly one exercise"), "{message}");
        assert!(message.contains("pygrade check EXERCISE --format exercism"));
        assert!(value.get("tests").is_none());
    }

    #[test]
    fn the_run_is_an_error_only_when_no_test_could_run() {
        let cannot_load = render(&only(sample::cannot_load(), 0));
        assert_eq!(cannot_load["status"], "error");
        assert!(
            cannot_load["message"]
                .as_str()
                .unwrap()
                .contains("SyntaxError: expected ':'")
        );
        assert!(cannot_load.get("tests").is_none());

        // A test that errors among others that ran is a failing run.
        let mut report = only(sample::report(), 0);
        report.exercises[0].checks[0].tests[1].status = Status::Timeout;
        let value = render(&report);
        assert_eq!(value["status"], "fail");
        assert_eq!(value["tests"][1]["status"], "error");

        let not_started = render(&only(sample::report(), 2));
        assert_eq!(not_started["status"], "error");
        assert!(
            not_started["message"]
                .as_str()
                .unwrap()
                .starts_with("not started")
        );
    }

    #[test]
    fn statuses_map_to_pass_fail_and_error() {
        let value = render(&only(sample::report(), 0));
        assert_eq!(value["status"], "fail");
        let tests = value["tests"].as_array().unwrap();
        let summary: Vec<(&str, &str)> = tests
            .iter()
            .map(|t| (t["name"].as_str().unwrap(), t["status"].as_str().unwrap()))
            .collect();
        assert_eq!(
            summary,
            [
                ("counts words", "pass"),
                ("counts are case insensitive", "fail"),
                ("hidden tests", "fail"),
                ("type checking (mypy)", "fail"),
                ("program output (output)", "fail"),
                ("speed (timing)", "fail"),
            ]
        );
        assert!(tests[0].get("message").is_none(), "a pass has no message");
        assert_eq!(
            tests[1]["message"],
            "AssertionError: assert {'A': 1} == {'a': 1}"
        );
        assert_eq!(tests[2]["message"], "1 of 2 hidden tests did not pass");

        let not_run = TestResult::new("adds money", Status::NotRun);
        let entry = test_entry(&not_run);
        assert_eq!(entry.status, Outcome::Error);
        assert_eq!(
            entry.message.as_deref(),
            Some("not run: the test process ended before this test")
        );
        let mut memory = TestResult::new("big input", Status::MemoryLimit);
        memory.message = Some("MemoryError".into());
        assert_eq!(
            test_entry(&memory).message.as_deref(),
            Some("memory-limit: MemoryError")
        );
    }

    #[test]
    fn every_test_passing_is_a_pass() {
        let mut report = only(sample::report(), 0);
        let exercise = &mut report.exercises[0];
        exercise.checks.truncate(1);
        let pytest = &mut exercise.checks[0];
        pytest.status = Status::Pass;
        pytest.hidden = None;
        pytest.tests[1].status = Status::Pass;
        let value = render(&report);
        assert_eq!(value["status"], "pass");
        assert!(value.get("message").is_none());
    }

    #[test]
    fn output_is_cut_to_500_characters_with_the_runners_notice() {
        let mut test = TestResult::new("prints", Status::Pass);
        test.output = format!("  {}\n", "é".repeat(501));
        let output = output_of(&test).unwrap();
        assert_eq!(output.chars().count(), 500);
        assert!(output.starts_with("éé"), "stripped first");
        assert!(output.ends_with(" [Output was truncated. Please limit to 500 chars]"));

        test.output = format!("{}\n", "x".repeat(500));
        assert_eq!(output_of(&test), Some("x".repeat(500)), "500 fit");
        test.output = "\n".into();
        assert_eq!(output_of(&test), None, "nothing printed");
    }

    #[test]
    fn the_file_stays_within_500_kb() {
        let mut report = only(sample::report(), 0);
        let pytest = &mut report.exercises[0].checks[0];
        pytest.tests = (0..400)
            .map(|i| {
                let mut test = TestResult::new(format!("case {i}"), Status::Fail);
                test.message = Some("\u{1b}".repeat(20_000));
                test.output = "y".repeat(8_000);
                test.output_truncated = true;
                test
            })
            .collect();
        let mut out = Vec::new();
        Exercism.emit(&report, &mut out).unwrap();
        assert!(out.len() <= MAX_BYTES, "{} bytes", out.len());
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["status"], "fail");
        assert_eq!(value["tests"].as_array().unwrap().len(), 404);
    }

    #[test]
    fn results_read_back_as_written() {
        let text = r#"{"version": 3, "status": "error", "message": "SyntaxError", "tests": []}"#;
        let results: Results = serde_json::from_str(text).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&to_json(&results).unwrap()).unwrap();
        assert_eq!(
            value,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }
}
