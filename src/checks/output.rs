//! The `output` check: run the learner's program once per case, each in a fresh copy of the
//! working folder, and compare what it prints and how it exits with what the case expects.
//!
//! A case is a set of files sharing a name in the cases folder: `NAME.out` (expected stdout,
//! required), `NAME.in` (stdin), `NAME.args` (one argument per line), `NAME.code` (expected
//! exit status, default 0). Points are shared equally among cases. A mismatch carries a
//! unified diff of expected and actual stdout.

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
use crate::contain::Exit;
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
        let finished = place.run(spawn).await?;
        let actual = &finished.stdout.bytes;
        let mut test = TestResult::new(&case.name, Status::Pass);
        test.output = place.relative(&finished.stderr.text());
        test.output_truncated = finished.stderr.truncated;
        match finished.exit {
            Exit::Code(code) => {
                let same_output = equal(&case.expected, actual, matching);
                if !same_output {
                    test.status = Status::Fail;
                    test.message = Some(if finished.stdout.truncated {
                        "the output differs from the expected output (and was too long to keep whole)".into()
                    } else {
                        "the output differs from the expected output".into()
                    });
                    test.diff = Some(diff(&case.expected, actual));
                }
                if code != case.code {
                    test.status = Status::Fail;
                    let said = format!("exit status {code}, expected {}", case.code);
                    test.message = Some(match test.message {
                        Some(m) => format!("{m}; {said}"),
                        None => said,
                    });
                }
            }
            exit => {
                test.status = abnormal_status(exit).unwrap_or(Status::Error);
                test.message = Some(format!(
                    "the program {}",
                    describe_exit(finished.exit, &ctx.limits)
                ));
            }
        }
        tests.push(test);
    }
    let status = tests
        .iter()
        .map(|t| t.status)
        .find(|s| !matches!(s, Status::Pass | Status::Fail))
        .unwrap_or(if tests.iter().all(|t| t.status == Status::Pass) {
            Status::Pass
        } else {
            Status::Fail
        });
    let failed = tests.iter().filter(|t| t.status != Status::Pass).count();
    // A check that ran into a limit says which, from the first case that did.
    let why = tests
        .iter()
        .find(|t| t.status == status && status != Status::Fail)
        .and_then(|t| t.message.as_deref())
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let message = if failed == 0 {
        format!("all {} cases match", tests.len())
    } else {
        format!("{failed} of {} cases did not pass{why}", tests.len())
    };
    Ok(CheckResult::from_tests("output", status, points, tests).with_message(message))
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
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    similar::TextDiff::from_lines(expected.as_ref(), actual.as_ref())
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_mismatch_gives_a_unified_diff() {
        let d = diff(b"a 1\nb 2\n", b"a 1\nb 3\n");
        assert!(d.contains("--- expected"), "{d}");
        assert!(d.contains("-b 2"), "{d}");
        assert!(d.contains("+b 3"), "{d}");
    }
}
