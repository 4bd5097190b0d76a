//! The Gradescope autograder's `results.json`: one Gradescope test per check of each exercise,
//! numbered `exercise.check` ("1.2"), with the check's points and, as text, its verdict and the
//! first few failures. Gradescope has no error status, so any check that did not pass is
//! `failed` and says its verdict (`timeout`, `error`, ...) on its first line.
//!
//! A pytest check that ran hidden tests gets a second entry, numbered `exercise.check.1`,
//! visible only once the grades are published: it gives how many hidden tests passed (and,
//! with `--reveal`, the hidden failures themselves). pygrade shares a check's points among all
//! its tests by weight, and the report keeps no weights of hidden tests, so the points cannot
//! be split exactly: the check's own entry keeps them all and the hidden entry is worth 0 of 0.
//! The entries' scores therefore add up to the report's total.
//!
//! Everything is plain text (`output_format` "text"): nothing a learner's code printed is read
//! as Markdown or HTML. Learner text is cut at 8 KiB a block, with a notice, and stripped of
//! control characters.

use std::io::Write;

use serde::Serialize;

use super::{Emitter, ExerciseReport, Report};
use crate::grade::{self, CheckResult, Status, TestResult};

/// Failing tests shown per entry before "... and N more".
const SHOWN_FAILURES: usize = 3;
/// mypy errors shown per entry before "... and N more".
const SHOWN_DIAGNOSTICS: usize = 10;
/// The most bytes of one block of learner text (a message, what a test printed, a diff).
const LEARNER_TEXT: usize = 8 * 1024;

pub(crate) struct Gradescope;

/// The top level of `results.json`.
#[derive(Serialize)]
struct Results {
    /// The report's total: what the submission earns.
    score: f64,
    /// Seconds: the sum of the checks' wall times.
    execution_time: f64,
    output: String,
    output_format: TextFormat,
    test_output_format: TextFormat,
    visibility: Visibility,
    stdout_visibility: Visibility,
    tests: Vec<Test>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    number: String,
    score: f64,
    max_score: f64,
    status: Outcome,
    output: String,
    tags: Vec<String>,
    visibility: Visibility,
}

#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum TextFormat {
    Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Visibility {
    Visible,
    /// Shown once the instructor publishes the grades.
    AfterPublished,
    Hidden,
}

/// Gradescope's two statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Passed,
    Failed,
}

impl Outcome {
    fn of(passed: bool) -> Outcome {
        if passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        }
    }
}

impl Emitter for Gradescope {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &results(report))?;
        writeln!(out)
    }
}

fn results(report: &Report) -> Results {
    let checks = report.exercises.iter().flat_map(|e| &e.checks);
    let millis: u64 = checks.map(|c| c.duration_ms).sum();
    let tests = report
        .exercises
        .iter()
        .enumerate()
        .flat_map(|(i, exercise)| tests_of(i + 1, exercise))
        .collect();
    Results {
        score: report.summary.score,
        execution_time: grade::round2(millis as f64 / 1000.0),
        output: summary(report),
        output_format: TextFormat::Text,
        test_output_format: TextFormat::Text,
        visibility: Visibility::Visible,
        stdout_visibility: Visibility::Hidden,
        tests,
    }
}

/// "3 of 19 points; 0 of 3 exercises passed, 1 failed, 1 errored, 1 not started."
fn summary(report: &Report) -> String {
    let s = &report.summary;
    let mut parts = vec![format!("{} of {} exercises passed", s.passed, s.exercises)];
    for (count, what) in [
        (s.failed, "failed"),
        (s.errored, "errored"),
        (s.inconclusive, "inconclusive (grade again)"),
        (s.not_started, "not started"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    let mut text = format!(
        "pygrade {}: {} of {} points; {}.",
        report.tools.pygrade,
        s.score,
        s.max_score,
        parts.join(", ")
    );
    if !report.tools.sandboxed() {
        text.push_str(&format!("\nsandbox: {}", report.tools.sandbox));
    }
    text
}

/// The entries of the `index`th exercise: one per check, and one more for each check's hidden
/// tests.
fn tests_of(index: usize, exercise: &ExerciseReport) -> Vec<Test> {
    let module = exercise
        .id
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut tests = Vec::new();
    for (c, check) in exercise.checks.iter().enumerate() {
        let number = format!("{index}.{}", c + 1);
        let name = format!("{}: {}", exercise.title, check.kind);
        let tags = vec![module.clone(), check.kind.to_string()];
        let output = if exercise.started {
            let mut output = check_output(check);
            if check.hidden.is_some() {
                output.push_str(&format!(
                    "\n\nhidden tests: counted in this score, reported in test {number}.1 once the grades are published"
                ));
            }
            output
        } else {
            clean(check.message.as_deref().unwrap_or("not started"))
        };
        tests.push(Test {
            name: name.clone(),
            number: number.clone(),
            score: check.score,
            max_score: check.max_score,
            status: Outcome::of(check.status == Status::Pass),
            output,
            tags: tags.clone(),
            visibility: Visibility::Visible,
        });
        if let Some(hidden) = check.hidden {
            let mut output = format!(
                "hidden tests: {} of {} passed. Their points are counted in test {number} ({name}).",
                hidden.passed, hidden.total
            );
            // Listed only when the grader revealed them; released with the grades.
            write_failures(&mut output, check.tests.iter().filter(|t| t.hidden));
            tests.push(Test {
                name: format!("{name} (hidden tests)"),
                number: format!("{number}.1"),
                score: 0.0,
                max_score: 0.0,
                status: Outcome::of(hidden.passed == hidden.total),
                output: clean(&output),
                tags,
                visibility: Visibility::AfterPublished,
            });
        }
    }
    tests
}

/// What one check's entry says: its verdict and message, then mypy's errors and the first few
/// failing tests of the visible ones.
fn check_output(check: &CheckResult) -> String {
    let mut text = check.status.as_str().to_string();
    if let Some(message) = check.message.as_deref().filter(|m| !m.is_empty()) {
        text.push_str(&format!(": {}", clip(message)));
    }
    if check.status == Status::Pass {
        return clean(&text);
    }
    let errors = check.errors();
    for d in errors.iter().take(SHOWN_DIAGNOSTICS) {
        let column = d.column.map(|c| format!(":{c}")).unwrap_or_default();
        let code = d
            .code
            .as_deref()
            .map(|c| format!("  [{c}]"))
            .unwrap_or_default();
        text.push_str(&format!(
            "\n{}:{}{column}: {}{code}",
            d.file,
            d.line,
            clip(&d.message)
        ));
    }
    if errors.len() > SHOWN_DIAGNOSTICS {
        text.push_str(&format!(
            "\n... and {} more",
            errors.len() - SHOWN_DIAGNOSTICS
        ));
    }
    write_failures(&mut text, check.tests.iter().filter(|t| !t.hidden));
    let not_run = check
        .tests
        .iter()
        .filter(|t| !t.hidden && t.status == Status::NotRun)
        .count();
    if not_run > 0 {
        text.push_str(&format!("\n\n{not_run} tests not run"));
    }
    clean(&text)
}

/// The first few of `tests` that did not pass, each with its verdict, message, location, diff
/// and what it printed.
fn write_failures<'t>(text: &mut String, tests: impl Iterator<Item = &'t TestResult>) {
    let failing: Vec<&TestResult> = tests
        .filter(|t| !matches!(t.status, Status::Pass | Status::NotRun))
        .collect();
    for test in failing.iter().take(SHOWN_FAILURES) {
        text.push_str(&format!("\n\n{} ({})", test.name, test.status.as_str()));
        if let Some(message) = &test.message {
            text.push_str(&format!("\n{}", indent(&clip(message))));
        }
        if let Some(location) = &test.location {
            text.push_str(&format!("\n  at {location}"));
        }
        if let Some(diff) = &test.diff {
            text.push_str(&format!("\n  diff:\n{}", indent(&clip(diff))));
        }
        if !test.output.trim().is_empty() {
            let mut output = clip(test.output.trim_end());
            if test.output_truncated {
                output.push_str("\n[... the rest was cut while the test ran]");
            }
            text.push_str(&format!("\n  output:\n{}", indent(&output)));
        }
    }
    if failing.len() > SHOWN_FAILURES {
        text.push_str(&format!(
            "\n\n... and {} more",
            failing.len() - SHOWN_FAILURES
        ));
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text`, cut to [`LEARNER_TEXT`] bytes (at a character boundary) with a notice of what was
/// left out.
fn clip(text: &str) -> String {
    if text.len() <= LEARNER_TEXT {
        return text.to_string();
    }
    let mut end = LEARNER_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n[... {} more bytes not shown]",
        &text[..end],
        text.len() - end
    )
}

/// `text` without control characters but newlines and tabs: what learner code printed may
/// hold terminal escapes, bells or carriage returns that a web page cannot show.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;
    use crate::grade::HiddenTally;

    fn render(report: &Report) -> serde_json::Value {
        let mut out = Vec::new();
        Gradescope.emit(report, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn the_report_matches_its_snapshot() {
        insta::assert_json_snapshot!(render(&sample::report()));
    }

    #[test]
    fn every_field_gradescope_reads_is_there() {
        let value = render(&sample::report());
        for key in [
            "score",
            "execution_time",
            "output",
            "output_format",
            "visibility",
            "stdout_visibility",
            "tests",
        ] {
            assert!(value.get(key).is_some(), "no {key}: {value}");
        }
        assert_eq!(value["score"], 3.0);
        assert_eq!(value["output_format"], "text");
        assert_eq!(value["visibility"], "visible");
        assert_eq!(value["stdout_visibility"], "hidden");
        let tests = value["tests"].as_array().unwrap();
        for test in tests {
            for key in [
                "name",
                "number",
                "score",
                "max_score",
                "status",
                "output",
                "tags",
                "visibility",
            ] {
                assert!(test.get(key).is_some(), "no {key}: {test}");
            }
            assert!(["passed", "failed"].contains(&test["status"].as_str().unwrap()));
        }
        let numbers: Vec<&str> = tests
            .iter()
            .map(|t| t["number"].as_str().unwrap())
            .collect();
        assert_eq!(numbers, ["1.1", "1.1.1", "1.2", "1.3", "1.4", "2.1", "3.1"]);
        let report = sample::report();
        let checks = report.exercises.iter().flat_map(|e| &e.checks);
        let scores: f64 = tests.iter().map(|t| t["score"].as_f64().unwrap()).sum();
        assert_eq!(
            scores,
            checks.map(|c| c.score).sum::<f64>(),
            "the entries add up to the checks' points"
        );
    }

    #[test]
    fn an_error_is_a_failed_test_that_names_its_verdict() {
        let value = render(&sample::report());
        let crash = &value["tests"][5];
        assert_eq!(crash["name"], "Money: pytest");
        assert_eq!(crash["status"], "failed");
        assert_eq!(
            crash["output"],
            "error: crashed with SIGSEGV (segmentation fault)"
        );
        let not_started = &value["tests"][6];
        assert_eq!(not_started["score"], 0.0);
        assert!(
            not_started["output"]
                .as_str()
                .unwrap()
                .starts_with("not started")
        );
    }

    #[test]
    fn hidden_tests_get_an_entry_of_their_own_released_with_the_grades() {
        let value = render(&sample::report());
        let hidden = &value["tests"][1];
        assert_eq!(hidden["name"], "Word count: pytest (hidden tests)");
        assert_eq!(hidden["visibility"], "after_published");
        assert_eq!(hidden["status"], "failed");
        assert_eq!(
            (&hidden["score"], &hidden["max_score"]),
            (&0.0.into(), &0.0.into())
        );
        assert_eq!(
            hidden["output"],
            "hidden tests: 1 of 2 passed. Their points are counted in test 1.1 (Word count: pytest)."
        );
        let visible = &value["tests"][0];
        assert_eq!(visible["visibility"], "visible");
        assert_eq!(
            (&visible["score"], &visible["max_score"]),
            (&2.0.into(), &6.0.into())
        );
    }

    #[test]
    fn revealed_hidden_failures_go_only_to_the_hidden_entry() {
        let mut report = sample::report();
        let pytest = &mut report.exercises[0].checks[0];
        let mut secret = TestResult::new("rejects secret input", Status::Fail);
        secret.hidden = true;
        secret.message = Some("AssertionError: secret".into());
        pytest.tests.push(secret);
        pytest.hidden = Some(HiddenTally {
            passed: 0,
            total: 1,
        });
        let value = render(&report);
        let (visible, hidden) = (&value["tests"][0], &value["tests"][1]);
        assert!(!visible["output"].as_str().unwrap().contains("secret"));
        assert!(
            hidden["output"]
                .as_str()
                .unwrap()
                .contains("AssertionError: secret")
        );
    }

    #[test]
    fn learner_output_is_cut_and_cleaned() {
        let mut report = sample::report();
        let failing = &mut report.exercises[0].checks[0].tests[1];
        failing.output = format!("\x1b[31mred\x07\r\n{}", "é".repeat(LEARNER_TEXT));
        let value = render(&report);
        let output = value["tests"][0]["output"].as_str().unwrap();
        assert!(output.contains("[31mred\n"), "{output}");
        assert!(!output.chars().any(|c| c.is_control() && c != '\n'));
        assert!(output.contains("more bytes not shown]"));
        assert!(output.len() < LEARNER_TEXT + 1024);
    }
}
