//! The `output` check: run the learner's program once per case, each in a fresh copy of the
//! working folder, and compare what it prints and how it exits with what the case expects.
//!
//! A case is a set of files sharing a name in the cases folder: `NAME.out` (expected stdout,
//! required), `NAME.in` (stdin), `NAME.args` (one argument per line), `NAME.code` (expected
//! exit status, default 0), `NAME.err` (expected stderr; without it stderr is not compared).
//! Points are shared equally among cases. A program that exits with an error status where the
//! case expects 0 did not do its work: that case is an `error`, with the end of its stderr. A
//! mismatch otherwise is a `fail` and carries a unified diff of expected and actual stdout
//! (and stderr).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use std::time::Duration;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::ctx::Ctx;
use super::kind::Kind;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::Layout;
use crate::bank::manifest::is_plain_relative;
use crate::contain::launch::Captured;
use crate::contain::{Exit, Limits};
use crate::grade::{CheckResult, Status, TestResult};

/// `kind = "output"`: run a command per case and compare its stdout and exit code with the
/// expected ones. Its limits are per case.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Output {
    /// `python` as the first word means the grading interpreter.
    command: Vec<String>,
    /// The cases folder, which pygrade keeps to itself.
    #[serde(default = "default_cases")]
    cases: String,
    #[serde(default, rename = "match")]
    matching: Match,
}

/// How stdout is compared with the expected output.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Match {
    #[default]
    Exact,
    TrailingWhitespaceInsensitive,
}

fn default_cases() -> String {
    "cases".to_string()
}

impl Kind for Output {
    const NAME: &'static str = "output";
    const TIMEOUT: Duration = Duration::from_secs(5);

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        if self.command.is_empty() {
            problems.push("`command` is empty".into());
        }
        if !is_plain_relative(&self.cases) || !(exercise.has_dir)(Path::new(&self.cases)) {
            problems.push(format!("the cases folder {:?} does not exist", self.cases));
        }
        problems
    }

    fn private_folders(&self) -> Vec<&str> {
        vec![&self.cases]
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        run(ctx, ctx.points, &self.command, &self.cases, self.matching).await
    }
}

struct Case {
    name: String,
    stdin: Option<Vec<u8>>,
    args: Vec<String>,
    expected: Vec<u8>,
    /// The expected stderr, when the case gives one (`NAME.err`).
    expected_err: Option<Vec<u8>>,
    code: i32,
}

fn cases(ctx: &Ctx<'_>, folder: &str) -> Result<Vec<Case>> {
    let file = |name: &str, ext: &str| -> Option<&[u8]> {
        ctx.exercise
            .files
            .get(&Path::new(folder).join(format!("{name}.{ext}")))
            .map(Vec::as_slice)
    };
    let names: Vec<String> = ctx
        .exercise
        .files
        .keys()
        .filter(|p| {
            p.parent() == Some(Path::new(folder)) && p.extension().is_some_and(|e| e == "out")
        })
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    names
        .into_iter()
        .map(|name| {
            let text = |ext| file(&name, ext).map(|b| String::from_utf8_lossy(b).into_owned());
            let code = match text("code") {
                Some(code) => code.trim().parse().with_context(|| {
                    format!("{folder}/{name}.code should hold an exit status, like 0")
                })?,
                None => 0,
            };
            Ok(Case {
                args: text("args")
                    .map(|a| a.lines().map(str::to_string).collect())
                    .unwrap_or_default(),
                stdin: file(&name, "in").map(<[u8]>::to_vec),
                expected: file(&name, "out").unwrap_or_default().to_vec(),
                expected_err: file(&name, "err").map(<[u8]>::to_vec),
                code,
                name,
            })
        })
        .collect()
}

async fn run(
    ctx: &Ctx<'_>,
    points: f64,
    command: &[String],
    folder: &str,
    matching: Match,
) -> Result<CheckResult> {
    let (program, fixed) = command
        .split_first()
        .context("the output check has an empty command")?;
    let program: PathBuf = if program == "python" {
        ctx.toolchain.python.clone()
    } else {
        program.into()
    };
    let mut tests = Vec::new();
    for case in cases(ctx, folder)? {
        // A fresh copy of the working folder per case: no case sees what another wrote or
        // deleted, so the cases can run in any order and each is graded on its own.
        let place = ctx.in_fresh_folder()?;
        let mut args: Vec<OsString> = fixed.iter().map(Into::into).collect();
        args.extend(case.args.iter().map(Into::into));
        let mut spawn = place.spawn(&program, args);
        spawn.stdin = case.stdin.clone();
        spawn.warm = program == ctx.toolchain.python;
        let finished = place.run(spawn).await?;
        // Paths in stderr read as the learner's own, in the report and when compared.
        let stderr = Captured {
            bytes: place.relative(&finished.stderr.text()).into_bytes(),
            truncated: finished.stderr.truncated,
        };
        tests.push(judge(
            &case,
            finished.exit,
            &finished.stdout,
            &stderr,
            matching,
            &ctx.limits,
        ));
    }
    let status = most_urgent(&tests);
    let failed = tests.iter().filter(|t| t.status != Status::Pass).count();
    // A check that did not merely fail says why, from the first case that shows its status:
    // the first line of that case's message (its stderr stays with the case, not repeated).
    let why = tests
        .iter()
        .find(|t| t.status == status && status != Status::Fail)
        .and_then(|t| t.message.as_deref())
        .and_then(|m| m.lines().next())
        .map(|m| format!(": {}", m.trim_end_matches(':')))
        .unwrap_or_default();
    let message = if failed == 0 {
        format!("all {} cases match", tests.len())
    } else {
        format!("{failed} of {} cases did not pass{why}", tests.len())
    };
    Ok(CheckResult::from_tests("output", status, points, tests).with_message(message))
}

/// The most lines of stderr an error's message ends with.
const STDERR_TAIL: usize = 5;

/// Grades one run of a case. A limit the run met is its verdict. A case that expects exit
/// status 0 and gets another is an `error` (an exception, a syntax error, `sys.exit(3)`: the
/// program did not do its work), with the end of its stderr. Otherwise stdout, stderr when
/// the case gives one, and the exit status are compared, and any mismatch is a `fail`.
/// `stderr` is the run's stderr with the scratch paths taken out.
fn judge(
    case: &Case,
    exit: Exit,
    stdout: &Captured,
    stderr: &Captured,
    matching: Match,
    limits: &Limits,
) -> TestResult {
    let mut test = TestResult::new(&case.name, Status::Pass);
    test.output = stderr.text();
    test.output_truncated = stderr.truncated;
    let code = match exit {
        Exit::Code(code) => code,
        exit => {
            test.status = abnormal_status(exit).unwrap_or(Status::Error);
            test.message = Some(format!("the program {}", describe_exit(exit, limits)));
            return test;
        }
    };
    if code != case.code && case.code == 0 {
        test.status = Status::Error;
        test.message = Some(exited(code, &test.output));
        return test;
    }
    let too_long = |captured: &Captured| {
        if captured.truncated {
            " (and was too long to keep whole)"
        } else {
            ""
        }
    };
    let mut wrong = Vec::new();
    let mut diffs = Vec::new();
    if !equal(&case.expected, &stdout.bytes, matching) {
        wrong.push(format!(
            "the output differs from the expected output{}",
            too_long(stdout)
        ));
        diffs.push(diff(&case.expected, &stdout.bytes));
    }
    if let Some(expected) = &case.expected_err
        && !equal(expected, &stderr.bytes, matching)
    {
        wrong.push(format!(
            "stderr differs from the expected stderr{}",
            too_long(stderr)
        ));
        diffs.push(labelled_diff(
            ("expected stderr", "actual stderr"),
            expected,
            &stderr.bytes,
        ));
    }
    if code != case.code {
        wrong.push(format!("exit status {code}, expected {}", case.code));
    }
    if !wrong.is_empty() {
        test.status = Status::Fail;
        test.message = Some(wrong.join("; "));
        test.diff = (!diffs.is_empty()).then(|| diffs.concat());
    }
    test
}

/// The message of a run that exited with `code` where 0 was expected: the status, then the
/// end of its stderr (the whole of it is the case's output). The end is Python's last frame
/// and message when it shows one (a syntax error's place, line, caret and message; an
/// exception's last frame), otherwise the last few lines.
fn exited(code: i32, stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines
        .iter()
        .rposition(|line| line.starts_with("  File \""))
        .filter(|&frame| lines.len() - frame <= STDERR_TAIL)
        .unwrap_or(lines.len().saturating_sub(STDERR_TAIL));
    let said = format!("the program exited with status {code}, expected 0");
    if lines.is_empty() {
        said
    } else {
        format!("{said}:\n{}", lines[start..].join("\n"))
    }
}

/// The check's status: the most urgent of its cases', by the order an exercise's status
/// follows (an `error` before a `timeout` before a `fail`); `pass` with no case at all.
fn most_urgent(tests: &[TestResult]) -> Status {
    Status::most_urgent(tests.iter().map(|t| t.status)).unwrap_or(Status::Pass)
}

fn equal(expected: &[u8], actual: &[u8], matching: Match) -> bool {
    match matching {
        Match::Exact => expected == actual,
        Match::TrailingWhitespaceInsensitive => {
            let normal = |bytes: &[u8]| {
                let text = String::from_utf8_lossy(bytes);
                let mut lines: Vec<String> =
                    text.lines().map(|l| l.trim_end().to_string()).collect();
                while lines.last().is_some_and(String::is_empty) {
                    lines.pop();
                }
                lines
            };
            normal(expected) == normal(actual)
        }
    }
}

/// A unified diff, expected to actual. Whitespace stays as it is here; renderers for people
/// make it visible.
pub(crate) fn diff(expected: &[u8], actual: &[u8]) -> String {
    labelled_diff(("expected", "actual"), expected, actual)
}

/// A unified diff, expected to actual, under the two headers given.
fn labelled_diff((old, new): (&str, &str), expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    let mut diff = similar::TextDiff::from_lines(expected.as_ref(), actual.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(old, new)
        .to_string();
    // Ended with a line's end, so that a second diff can follow it.
    if !diff.is_empty() && !diff.ends_with('\n') {
        diff.push('\n');
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contain::Clock;

    #[test]
    fn a_section_takes_its_defaults() {
        let output: Output = toml::from_str("command = [\"python\", \"x.py\"]").unwrap();
        assert_eq!(output.cases, "cases");
        assert_eq!(output.matching, Match::Exact);
        assert_eq!(output.private_folders(), ["cases"]);
        let lenient: Output =
            toml::from_str("command = [\"x\"]\nmatch = \"trailing-whitespace-insensitive\"")
                .unwrap();
        assert_eq!(lenient.matching, Match::TrailingWhitespaceInsensitive);
    }

    #[test]
    fn exact_matching_sees_trailing_spaces() {
        assert!(equal(b"a 1\n", b"a 1\n", Match::Exact));
        assert!(!equal(b"a 1\n", b"a 1 \n", Match::Exact));
        assert!(!equal(b"a 1\n", b"a 1", Match::Exact));
    }

    #[test]
    fn lenient_matching_ignores_trailing_whitespace_and_blank_lines() {
        let lenient = Match::TrailingWhitespaceInsensitive;
        assert!(equal(b"a 1\nb 2\n", b"a 1  \r\nb 2\t\n\n", lenient));
        assert!(!equal(b"a 1\n", b" a 1\n", lenient));
        assert!(!equal(b"a 1\n", b"a 2\n", lenient));
    }

    fn case(code: i32, expected_err: Option<&str>) -> Case {
        Case {
            name: "c".into(),
            stdin: None,
            args: Vec::new(),
            expected: b"a 1\n".to_vec(),
            expected_err: expected_err.map(|e| e.as_bytes().to_vec()),
            code,
        }
    }

    /// A case judged on a run that ended with `exit` and printed `stdout` and `stderr`.
    fn judged(case: &Case, exit: Exit, stdout: &str, stderr: &str) -> TestResult {
        let captured = |text: &str| Captured {
            bytes: text.as_bytes().to_vec(),
            truncated: false,
        };
        let limits = Limits::default();
        judge(
            case,
            exit,
            &captured(stdout),
            &captured(stderr),
            Match::Exact,
            &limits,
        )
    }

    const TRACEBACK: &str = "Traceback (most recent call last):
  File \"word_count.py\", line 60, in <module>
    main()
  File \"word_count.py\", line 12, in main
    raise NotImplementedError(\"not yet\")
NotImplementedError: not yet
";

    #[test]
    fn an_error_status_where_0_is_expected_is_an_error_ending_with_stderr() {
        let test = judged(&case(0, None), Exit::Code(1), "a 1\n", TRACEBACK);
        assert_eq!(test.status, Status::Error);
        assert_eq!(
            test.message.as_deref(),
            Some(
                "the program exited with status 1, expected 0:
  File \"word_count.py\", line 12, in main
    raise NotImplementedError(\"not yet\")
NotImplementedError: not yet"
            )
        );
        assert_eq!((test.output.as_str(), test.diff), (TRACEBACK, None));

        let syntax = "  File \"word_count.py\", line 51\n    def f() -> str\n                  ^\nSyntaxError: expected ':'\n";
        let test = judged(&case(0, None), Exit::Code(1), "", syntax);
        assert_eq!(
            test.message.unwrap(),
            format!(
                "the program exited with status 1, expected 0:\n{}",
                syntax.trim_end()
            )
        );

        let quiet = judged(&case(0, None), Exit::Code(3), "a 1\n", "");
        assert_eq!(quiet.status, Status::Error);
        assert_eq!(
            quiet.message.as_deref(),
            Some("the program exited with status 3, expected 0")
        );
    }

    #[test]
    fn an_expected_error_status_is_compared_on_output() {
        let pass = judged(&case(2, None), Exit::Code(2), "a 1\n", "usage: ...\n");
        assert_eq!((pass.status, pass.message), (Status::Pass, None));

        let wrong = judged(&case(2, None), Exit::Code(2), "a 2\n", "");
        assert_eq!(wrong.status, Status::Fail);
        assert_eq!(
            wrong.message.as_deref(),
            Some("the output differs from the expected output")
        );
        assert!(wrong.diff.unwrap().contains("+a 2"));

        let success = judged(&case(2, None), Exit::Code(0), "a 1\n", "");
        assert_eq!(success.status, Status::Fail);
        assert_eq!(
            success.message.as_deref(),
            Some("exit status 0, expected 2")
        );
        assert_eq!(success.diff, None);

        let other = judged(&case(2, None), Exit::Code(1), "", TRACEBACK);
        assert_eq!(other.status, Status::Fail);
        assert_eq!(
            other.message.as_deref(),
            Some("the output differs from the expected output; exit status 1, expected 2")
        );
    }

    #[test]
    fn a_limit_stays_its_verdict() {
        let test = judged(&case(0, None), Exit::Timeout(Clock::Wall), "", "");
        assert_eq!(test.status, Status::Timeout);
        assert!(test.message.unwrap().starts_with("the program timed out"));
        let test = judged(&case(0, None), Exit::Signal(11), "", "");
        assert_eq!(test.status, Status::Error);
        assert!(test.message.unwrap().contains("SIGSEGV"));
    }

    #[test]
    fn stderr_is_compared_only_when_the_case_gives_it() {
        let ignored = judged(&case(0, None), Exit::Code(0), "a 1\n", "warning: x\n");
        assert_eq!(ignored.status, Status::Pass);
        assert_eq!(ignored.output, "warning: x\n");

        let expected = case(2, Some("error: no such key\n"));
        let same = judged(&expected, Exit::Code(2), "a 1\n", "error: no such key\n");
        assert_eq!(same.status, Status::Pass);

        let different = judged(&expected, Exit::Code(2), "a 1\n", "error: bad key\n");
        assert_eq!(different.status, Status::Fail);
        assert_eq!(
            different.message.as_deref(),
            Some("stderr differs from the expected stderr")
        );
        let diff = different.diff.unwrap();
        assert!(
            diff.starts_with("--- expected stderr\n+++ actual stderr\n"),
            "{diff}"
        );
        assert!(
            diff.contains("-error: no such key\n+error: bad key\n"),
            "{diff}"
        );

        // Both streams wrong: one diff after the other, each under its own headers.
        let both = judged(&expected, Exit::Code(2), "a 2\n", "");
        assert_eq!(
            both.message.as_deref(),
            Some(
                "the output differs from the expected output; stderr differs from the expected stderr"
            )
        );
        let diff = both.diff.unwrap();
        let stderr_at = diff.find("--- expected stderr").unwrap();
        assert!(diff.starts_with("--- expected\n+++ actual\n"), "{diff}");
        assert!(diff[..stderr_at].contains("+a 2"), "{diff}");
        assert!(diff[stderr_at..].contains("-error: no such key"), "{diff}");
    }

    #[test]
    fn the_most_urgent_case_speaks_for_the_check() {
        let with = |statuses: &[Status]| {
            let tests: Vec<TestResult> =
                statuses.iter().map(|&s| TestResult::new("c", s)).collect();
            most_urgent(&tests)
        };
        assert_eq!(with(&[]), Status::Pass);
        assert_eq!(with(&[Status::Pass, Status::Pass]), Status::Pass);
        assert_eq!(with(&[Status::Pass, Status::Fail]), Status::Fail);
        assert_eq!(
            with(&[Status::Fail, Status::Timeout, Status::Error, Status::Pass]),
            Status::Error
        );
        assert_eq!(
            with(&[Status::OutputLimit, Status::Timeout]),
            Status::Timeout
        );
    }

    #[test]
    fn a_mismatch_gives_a_unified_diff() {
        let d = diff(b"a 1\nb 2\n", b"a 1\nb 3\n");
        assert!(d.contains("--- expected"), "{d}");
        assert!(d.contains("-b 2"), "{d}");
        assert!(d.contains("+b 3"), "{d}");
    }
}
