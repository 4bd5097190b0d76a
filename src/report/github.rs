//! GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per finding,
//! which the runner turns into annotations on the run's page and, when a line names a file, on
//! that file in the pull request.
//!
//! A failing test with a `location`, and each mypy diagnostic, names its file. Those paths
//! are relative to the exercise's folder, and a workspace lays each exercise out in the folder
//! its id names (`<id>/`), so the file's path relative to the workspace root is `<id>/<path>`;
//! GitHub reads `file=` relative to the repository's root, so the annotations land on the right
//! file when the workspace is the repository. A failing check with nothing located (an output
//! case, a crash, a timing verdict) is one `::error` without a file; a not-started exercise and
//! an inconclusive check are one `::notice` each. Hidden tests show only as their tally.
//!
//! Learner text goes into the message and the `title` property, escaped as the Actions
//! toolkit escapes them (`%`, CR and LF percent-encoded; in properties also `:` and `,`), so
//! that no learner text can end a line and start a workflow command of its own.

use std::io::Write;

use super::{Emitter, ExerciseReport, Report};
use crate::grade::{CheckResult, Status};

/// Annotations written before the rest are counted in one last notice. GitHub shows at most
/// 10 errors and 10 warnings per step and 50 annotations per job.
const MAX_ANNOTATIONS: usize = 50;
/// Tests without a location named in their check's annotation.
const SHOWN_UNLOCATED: usize = 5;
/// Characters of one message kept before it is cut.
const MAX_MESSAGE: usize = 2000;

pub(crate) struct Github;

impl Emitter for Github {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let annotations: Vec<Annotation> = report.exercises.iter().flat_map(annotations).collect();
        for annotation in annotations.iter().take(MAX_ANNOTATIONS) {
            writeln!(out, "{}", annotation.line())?;
        }
        if annotations.len() > MAX_ANNOTATIONS {
            let left_out = annotations.len() - MAX_ANNOTATIONS;
            let notice = Annotation {
                level: Level::Notice,
                place: None,
                title: "pygrade".into(),
                message: format!(
                    "{left_out} more findings left out: a markdown or json report of this run has them all"
                ),
            };
            writeln!(out, "{}", notice.line())?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
enum Level {
    Error,
    Warning,
    Notice,
}

/// Where in the repository an annotation points: a file relative to the workspace root, a line
/// and maybe a column.
#[derive(Debug)]
struct Place {
    file: String,
    line: u64,
    col: Option<u64>,
}

#[derive(Debug)]
struct Annotation {
    level: Level,
    place: Option<Place>,
    title: String,
    message: String,
}

impl Annotation {
    fn line(&self) -> String {
        let command = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        };
        let mut properties = Vec::new();
        if let Some(place) = &self.place {
            properties.push(format!("file={}", property(&place.file)));
            properties.push(format!("line={}", place.line));
            if let Some(col) = place.col {
                properties.push(format!("col={col}"));
            }
        }
        properties.push(format!("title={}", property(&self.title)));
        format!(
            "::{command} {}::{}",
            properties.join(","),
            data(&clip(&self.message))
        )
    }
}

/// The annotations of one exercise, in the order of its checks.
fn annotations(exercise: &ExerciseReport) -> Vec<Annotation> {
    if exercise.status == Status::NotStarted {
        return vec![Annotation {
            level: Level::Notice,
            place: None,
            title: format!("{}: not started", exercise.id),
            message: format!(
                "{} is not started: solve it, then run `pygrade check {}`",
                exercise.title, exercise.id
            ),
        }];
    }
    exercise
        .checks
        .iter()
        .flat_map(|check| check_annotations(exercise, check))
        .collect()
}

fn check_annotations(exercise: &ExerciseReport, check: &CheckResult) -> Vec<Annotation> {
    if matches!(check.status, Status::Pass | Status::NotStarted) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for d in &check.diagnostics {
        let level = if d.severity == "error" {
            Level::Error
        } else {
            Level::Warning
        };
        let code = d
            .code
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        found.push(Annotation {
            level,
            place: in_workspace(exercise, &d.file).map(|file| Place {
                file,
                line: d.line,
                col: d.column,
            }),
            title: format!("{}: {}{code}", exercise.id, check.kind),
            message: d.message.clone(),
        });
    }
    let failing = check
        .tests
        .iter()
        .filter(|t| !matches!(t.status, Status::Pass | Status::NotRun | Status::Skipped));
    let mut unlocated = Vec::new();
    for test in failing {
        // A revealed hidden test's file is not in the learner's repository.
        let place = test
            .location
            .as_deref()
            .filter(|_| !test.hidden)
            .and_then(|location| located(exercise, location));
        let Some(place) = place else {
            unlocated.push(test);
            continue;
        };
        found.push(Annotation {
            level: Level::Error,
            place: Some(place),
            title: format!("{}: {}", exercise.id, test.name),
            message: test
                .message
                .clone()
                .unwrap_or_else(|| test.status.as_str().to_string()),
        });
    }
    let hidden_failed = check.hidden.is_some_and(|h| h.passed < h.total);
    if found.is_empty() || !unlocated.is_empty() || hidden_failed {
        let mut message = check.message.clone().unwrap_or_default();
        // The tests with no line to annotate (output cases, a timeout) are named here.
        for test in unlocated.iter().take(SHOWN_UNLOCATED) {
            let said = test.message.as_deref().unwrap_or_default();
            message.push_str(&format!(
                "\n- {} ({}): {}",
                test.name,
                test.status.as_str(),
                said.lines().next().unwrap_or_default()
            ));
        }
        if unlocated.len() > SHOWN_UNLOCATED {
            message.push_str(&format!(
                "\n- ... and {} more",
                unlocated.len() - SHOWN_UNLOCATED
            ));
        }
        if let Some(hidden) = check.hidden {
            message.push_str(&format!(
                "\nhidden tests: {} of {} passed",
                hidden.passed, hidden.total
            ));
        }
        let level = match check.status {
            Status::Inconclusive | Status::Skipped => Level::Notice,
            _ => Level::Error,
        };
        found.push(Annotation {
            level,
            place: None,
            title: format!("{}: {} {}", exercise.id, check.kind, check.status.as_str()),
            message: message.trim().to_string(),
        });
    }
    found
}

/// A test's `file:line`, relative to its exercise, as a place in the workspace.
fn located(exercise: &ExerciseReport, location: &str) -> Option<Place> {
    let (file, line) = location.rsplit_once(':')?;
    Some(Place {
        file: in_workspace(exercise, file)?,
        line: line.parse().ok()?,
        col: None,
    })
}

/// A path relative to the exercise's folder, relative to the workspace root instead: the
/// workspace keeps each exercise in the folder its id names. An absolute path (a file outside
/// the exercise, such as a library's stub) has no place in the repository.
fn in_workspace(exercise: &ExerciseReport, file: &str) -> Option<String> {
    let file = file.strip_prefix("./").unwrap_or(file);
    if file.is_empty() || file.starts_with('/') || file.split('/').any(|part| part == "..") {
        return None;
    }
    Some(format!("{}/{file}", exercise.id))
}

/// `text` without control characters but line ends and tabs (which [`data`] escapes), and cut after [`MAX_MESSAGE`]
/// characters with a notice.
fn clip(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .collect();
    match clean.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => format!("{}\n... (cut)", &clean[..at]),
        None => clean,
    }
}

/// A workflow command's message, escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value, escaped: as a message, and its separators too.
fn property(text: &str) -> String {
    data(&clip(text)).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::TestResult;

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        Github.emit(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_report_matches_its_snapshot() {
        insta::assert_snapshot!(render(&super::super::sample::report()));
    }

    #[test]
    fn messages_and_properties_are_escaped_as_github_reads_them() {
        assert_eq!(data("50%\r\nnext: a, b"), "50%25%0D%0Anext: a, b");
        assert_eq!(property("a: b, 50%\nc"), "a%3A b%2C 50%25%0Ac");
    }

    #[test]
    fn learner_text_cannot_start_a_command_of_its_own() {
        let mut report = super::super::sample::report();
        let hostile = "=cmd|' /C calc'!A0, 100% <script>alert(1)</script> ```\n::error file=x.py::forged\r\n::stop-commands::t\u{1b}[31m";
        let test = &mut report.exercises[0].checks[0].tests[1];
        test.name = hostile.into();
        test.message = Some(hostile.into());
        let text = render(&report);
        let line = text
            .lines()
            .find(|l| l.contains("calc"))
            .expect("the hostile test's annotation");
        assert!(line.starts_with("::error file=01-foundations/01-word-count/tests/test_word_count.py,line=12,title=01-foundations/01-word-count%3A =cmd|' /C calc'!A0%2C 100%25 "), "{line}");
        assert!(line.contains("::=cmd|' /C calc'!A0, 100%25 <script>alert(1)</script> ```%0A::error file=x.py::forged%0D%0A::stop-commands::t[31m"), "{line}");
        for other in text.lines() {
            assert!(other.starts_with("::"), "{other}");
            assert!(!other.contains('\u{1b}'), "{other}");
        }
    }

    #[test]
    fn annotations_stop_at_the_cap_with_a_count_of_the_rest() {
        let mut report = super::super::sample::report();
        let tests = &mut report.exercises[0].checks[0].tests;
        for i in 0..60 {
            let mut test = TestResult::new(format!("case {i}"), Status::Fail);
            test.location = Some(format!("tests/test_word_count.py:{i}"));
            tests.push(test);
        }
        let text = render(&report);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), MAX_ANNOTATIONS + 1);
        let last = lines.last().unwrap();
        // 61 failing tests, the check's hidden tally, mypy, output, timing, the crash and the
        // not-started exercise: 67 annotations, 50 of them written.
        assert_eq!(
            *last,
            "::notice title=pygrade::17 more findings left out: a markdown or json report of this run has them all"
        );
    }

    #[test]
    fn a_path_outside_the_exercise_has_no_place() {
        let report = super::super::sample::report();
        let exercise = &report.exercises[0];
        assert!(in_workspace(exercise, "/usr/lib/python3/typing.pyi").is_none());
        assert!(in_workspace(exercise, "../other/x.py").is_none());
        assert_eq!(
            in_workspace(exercise, "./word_count.py").as_deref(),
            Some("01-foundations/01-word-count/word_count.py")
        );
        assert!(located(exercise, "tests/test_word_count.py").is_none());
    }
}
