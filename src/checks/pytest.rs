//! The `pytest` check: the exercise's trusted tests against the learner's files.
//!
//! pytest runs with pygrade's own configuration (plugin autoloading off, no cache, the
//! `pygrade_graders.pytest_plugin` loaded) and reports through the results channel: a pipe the
//! process inherits, opened before any learner code runs and with no name to reopen. Because each test is written there as it finishes, a crash or a
//! timeout loses only the test in flight: the ones before it keep their results and the ones
//! after it are `not-run`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::ctx::{Ctx, write_file};
use super::kind::Kind;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::{Layout, Side};
use crate::contain::{CHANNEL_FD, Exit, TOKEN_FD};
use crate::grade::{CheckResult, Status, TestResult};
use crate::protocol::results::{Collected, Event, Reported};
use crate::protocol::{self, Mismatch};

/// `kind = "pytest"`: the exercise's trusted tests; the points are shared by test weight.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Pytest {
    /// What a test that the tests themselves skip counts for.
    #[serde(default)]
    skips: Skips,
}

/// What a skipped test counts for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Skips {
    /// Against the learner, like a failure (the bundled bank's choice).
    #[default]
    Fail,
    /// Neither for nor against: left out of the points (an "extra credit" test skipped on
    /// purpose). A skip raised from the learner's code still counts against it.
    Neutral,
}

/// Under neutral skips: a test skipped by the tests themselves (a skip marker, or
/// `pytest.skip` in a trusted test file) is left out of the points; one skipped from the
/// learner's code still counts, and says why.
fn weigh_skip(test: &mut TestResult) {
    if test.status != Status::Skipped {
        return;
    }
    let from_tests = test
        .location
        .as_deref()
        .is_some_and(|at| at.starts_with("tests/"));
    if from_tests {
        test.weight = 0.0;
    } else {
        let at = test.location.as_deref().unwrap_or("your code");
        test.message = Some(format!(
            "skipped from {at}: only a skip the tests decide is left out of the points"
        ));
    }
}

impl Kind for Pytest {
    const NAME: &'static str = "pytest";
    const TIMEOUT: Duration = Duration::from_secs(10);

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        if (exercise.has_dir)(Path::new("tests")) {
            Vec::new()
        } else {
            vec!["the exercise has no tests/ folder".into()]
        }
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        run(ctx, ctx.points, self.skips).await
    }
}

/// pytest's exit status for an internal error.
const PYTEST_INTERNAL_ERROR: i32 = 3;

/// pygrade's own pytest configuration; nothing from the learner's folder is read.
/// `verbosity_assertions = 2` puts whole assertion diffs into the messages.
const PYTEST_INI: &str =
    "[pytest]\npythonpath = .\ntestpaths = tests\naddopts =\nverbosity_assertions = 2\n";

/// pytest's command line with pygrade's configuration and plugin, results to the channel.
fn pytest_args(ctx: &Ctx<'_>, root: &Path, extra: &[&str]) -> Result<Vec<OsString>> {
    let ini = ctx.own.join("pytest.ini");
    std::fs::write(&ini, PYTEST_INI)?;
    let fixed = [
        "-B",
        "-m",
        "pytest",
        "-q",
        "--tb=no",
        "--show-capture=no",
        "--no-header",
        "-rN",
        "--color=no",
        // What a test prints is captured for its result and also passes on to the process's
        // stdout, where the output limit applies to it as to any other output.
        "--capture=tee-sys",
        "-p",
        "no:cacheprovider",
        "-p",
        "pygrade_graders.pytest_plugin",
    ];
    let mut args: Vec<OsString> = fixed.iter().chain(extra).map(Into::into).collect();
    args.extend([
        "--pygrade-results-fd".into(),
        CHANNEL_FD.to_string().into(),
        "--pygrade-token-fd".into(),
        TOKEN_FD.to_string().into(),
        "-c".into(),
        ini.into(),
        "--rootdir".into(),
        root.into(),
    ]);
    Ok(args)
}

/// The tests the exercise defines, with their weights, as collected with the reference
/// solution: trusted code, before any learner code runs. A test the learner's run does not
/// report is then a failure, not an absence. Cached by everything it depends on.
async fn expected_tests(ctx: &Ctx<'_>) -> Result<Vec<Collected>> {
    let exercise = ctx.exercise;
    let mut parts: Vec<&[u8]> = vec![env!("CARGO_PKG_VERSION").as_bytes()];
    parts.extend(ctx.toolchain.versions.pytest.as_deref().map(str::as_bytes));
    for (path, bytes) in &exercise.files {
        parts.push(path.as_os_str().as_encoded_bytes());
        parts.push(bytes);
    }
    let cache = crate::toolchain::home()?
        .join("collected")
        .join(format!("{}.json", crate::toolchain::short_hash(&parts)));
    if let Some(tests) = std::fs::read(&cache)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        return Ok(tests);
    }
    let root = ctx.own.join("collect");
    for (path, bytes) in exercise.trusted_files() {
        write_file(&root.join(path), bytes)?;
    }
    for name in &exercise.manifest.files {
        let bytes = exercise
            .side_file(Side::Reference, name)
            .with_context(|| format!("the bank has no reference/{name}"))?;
        write_file(&root.join(name), bytes)?;
    }
    let mut spawn = ctx.spawn(
        &ctx.toolchain.python,
        pytest_args(ctx, &root, &["--collect-only"])?,
    );
    spawn.cwd = root.clone();
    spawn.channel = true;
    let finished = ctx.run(spawn).await?;
    let (events, garbled) = protocol::parse(&finished.channel.lines, finished.channel.forged);
    if let Some(line) = garbled {
        bail!(
            "{}: unreadable line {line} from the pytest plugin while collecting the tests",
            exercise.id
        );
    }
    let tests = events.into_iter().find_map(|e| match e {
        Event::Collected { tests } if !tests.is_empty() => Some(tests),
        _ => None,
    });
    let Some(tests) = tests else {
        bail!(
            "{}: the tests could not be collected with the reference solution ({:?}): {}\n{}",
            exercise.id,
            finished.exit,
            finished.stdout.text().trim(),
            finished.stderr.text().trim()
        );
    };
    if let Some(parent) = cache.parent() {
        std::fs::create_dir_all(parent)?;
        let staged = tempfile::NamedTempFile::new_in(parent)?;
        std::fs::write(staged.path(), serde_json::to_vec(&tests)?)?;
        let _ = staged.persist(&cache);
    }
    Ok(tests)
}

async fn run(ctx: &Ctx<'_>, points: f64, skips: Skips) -> Result<CheckResult> {
    let expected = expected_tests(ctx).await?;
    let args = pytest_args(ctx, &ctx.work, &[])?;
    let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
    spawn.channel = true;
    let finished = ctx.run(spawn).await?;
    let (events, garbled) = protocol::parse(&finished.channel.lines, finished.channel.forged);

    let mut started = None;
    // `None` until the plugin has said which tests it collected.
    let mut collected: Option<Vec<Collected>> = None;
    let mut reported: HashMap<String, Reported> = HashMap::new();
    let mut collect_errors = Vec::new();
    let mut hello = false;
    let mut tampered = Vec::new();
    // Events out of the plugin's order mean something else wrote to the channel.
    let mut forged = garbled.map(|_| "a line that is not an event");
    let mut done = false;
    let mut pytest_status = None;
    for event in events {
        if done {
            forged.get_or_insert("an event after the end of the run");
        }
        match event {
            Event::Hello { .. } if hello => {
                forged.get_or_insert("a second greeting");
            }
            Event::Hello { protocol } if protocol == protocol::VERSION => hello = true,
            Event::Hello { protocol } => {
                return Err(Mismatch {
                    speaker: "pytest plugin",
                    found: protocol,
                    fix: "run `pygrade setup` to refresh it",
                }
                .into());
            }
            Event::Collected { tests } => {
                if collected.is_some() || started.is_some() {
                    forged.get_or_insert("a second list of tests");
                }
                collected = Some(tests);
            }
            Event::CollectError { kind, message } => collect_errors.push((kind, message)),
            Event::Start { id } => started = Some(id),
            Event::Result(result) => {
                if started.as_deref() != Some(result.id.as_str()) {
                    forged.get_or_insert("a result for a test that was not running");
                }
                if reported.contains_key(&result.id) {
                    forged.get_or_insert("a second result for one test");
                }
                reported.insert(result.id.clone(), result);
            }
            Event::Tampered { replaced } => tampered = replaced,
            Event::Done { exit_status } => {
                done = true;
                pytest_status = exit_status;
            }
        }
    }
    if !hello {
        if matches!(finished.exit, Exit::Code(_)) {
            // pytest could not even start: that is pygrade's environment, not the learner.
            bail!(
                "pytest did not start ({:?}): {}",
                finished.exit,
                finished.stderr.text().trim()
            );
        }
        return Ok(
            CheckResult::whole("pytest", Status::Error, points).with_message(format!(
                "the test run ended before it started: {}",
                describe_exit(finished.exit, &ctx.limits)
            )),
        );
    }

    if let Some(what) = forged {
        return Ok(CheckResult::whole("pytest", Status::Rejected, points).with_message(format!(
            "rejected: the results channel holds {what}, so something besides pygrade wrote to it; results from such a run cannot be trusted"
        )));
    }
    if !tampered.is_empty() {
        return Ok(CheckResult::whole("pytest", Status::Rejected, points).with_message(format!(
            "rejected: your code replaced what the grading relies on ({}); results from such a run cannot be trusted",
            tampered.join(", ")
        )));
    }
    if let Some((kind, message)) = collect_errors.into_iter().next() {
        let reason = match kind.as_str() {
            "syntax-error" => "a syntax error",
            "import-error" => "an import error",
            _ => "an exception raised while importing",
        };
        let mut text =
            format!("the tests could not load your code because of {reason}:\n{message}");
        // Importing may also run into a limit, which is then the verdict.
        let limit = Some(finished.exit)
            .filter(|exit| !matches!(exit, Exit::Code(_)))
            .or_else(|| limit_in(&message));
        if let Some(limit) = limit {
            text = format!("{}; {text}", describe_exit(limit, &ctx.limits));
        }
        let status = limit.and_then(abnormal_status).unwrap_or(Status::Error);
        let mut result = CheckResult::whole("pytest", status, points).with_message(text);
        result.tests = expected.iter().map(not_run).collect();
        return Ok(result);
    }

    // pytest stops with an internal error when learner code raises SystemExit (`sys.exit()`)
    // while it is imported: nothing was collected.
    if pytest_status == Some(PYTEST_INTERNAL_ERROR) && collected.as_ref().is_some_and(Vec::is_empty)
    {
        let exited = finished
            .stdout
            .text()
            .lines()
            .rev()
            .find_map(|line| {
                line.split_once("SystemExit: ")
                    .map(|(_, code)| code.trim().to_string())
            })
            .unwrap_or_default();
        let mut result = CheckResult::whole("pytest", Status::Error, points).with_message(format!(
            "your code ended the test run while the tests were importing it: it called sys.exit({exited})"
        ));
        result.tests = expected.iter().map(not_run).collect();
        return Ok(result);
    }
    // The learner's code ended the process (an exit, a crash) while the tests imported it:
    // that is one error, not a failure per test.
    let Some(collected) = collected else {
        if let Exit::Code(_) | Exit::Signal(_) = finished.exit {
            let mut result =
                CheckResult::whole("pytest", Status::Error, points).with_message(format!(
                    "your code ended the test run while the tests were importing it: {}{}",
                    describe_exit(finished.exit, &ctx.limits),
                    output_tail(ctx, &finished.stdout.text(), &finished.stderr.text())
                ));
            result.tests = expected.iter().map(not_run).collect();
            return Ok(result);
        }
        // A limit reached while importing: every test is not-run, under the limit's verdict.
        return Ok(stopped_early(ctx, points, &expected, finished.exit));
    };

    let in_flight = started.filter(|id| !reported.contains_key(id));
    // Graded against the tests the exercise defines, whatever the run collected: a test the
    // run never reported (deselected, removed, hidden) fails; after a run that ended early,
    // the tests it never reached did not run.
    let ran_to_the_end = done;
    let mut tests: Vec<TestResult> = expected
        .iter()
        .map(|c| match reported.remove(&c.id) {
            Some(r) => TestResult {
                status: match r.status.as_str() {
                    "pass" => Status::Pass,
                    "fail" => Status::Fail,
                    "skipped" => Status::Skipped,
                    _ => Status::Error,
                },
                message: r.message,
                location: r.location,
                output: r.output,
                output_truncated: r.output_truncated,
                weight: c.weight,
                ..TestResult::new(&c.name, Status::Pass)
            },
            None if in_flight.as_deref() == Some(c.id.as_str()) => TestResult {
                message: Some(match finished.exit {
                    Exit::Code(_) => format!(
                        "your code ended the test process during this test: it {}",
                        describe_exit(finished.exit, &ctx.limits)
                    ),
                    exit => describe_exit(exit, &ctx.limits),
                }),
                output: ctx.relative(&crash_trace(&finished.stderr.text())),
                weight: c.weight,
                ..TestResult::new(
                    &c.name,
                    abnormal_status(finished.exit).unwrap_or(Status::Error),
                )
            },
            None if ran_to_the_end || !collected.iter().any(|t| t.id == c.id) => TestResult {
                message: Some("not reported: the test run never reported this test".into()),
                weight: c.weight,
                ..TestResult::new(&c.name, Status::Fail)
            },
            None => not_run(c),
        })
        .collect();

    // Inside a test, running out of memory or disk raises an exception that pytest catches
    // (MemoryError, or OSError "File too large" past the file-size limit): the process lives
    // on, so the verdict is read from the test.
    let mut over_limit = None;
    for test in &mut tests {
        if let Some(limit) = limit_in(test.message.as_deref().unwrap_or_default()) {
            test.status = abnormal_status(limit).unwrap_or(Status::Error);
            over_limit = Some(limit);
        }
    }
    if skips == Skips::Neutral {
        for test in &mut tests {
            weigh_skip(test);
        }
        if !tests.is_empty()
            && tests
                .iter()
                .all(|t| t.status == Status::Skipped && t.weight == 0.0)
        {
            let mut result = CheckResult::from_tests("pytest", Status::Skipped, points, tests);
            result.message = Some("every test was skipped: nothing was graded".into());
            return Ok(result);
        }
    }
    // A neutral skip is neither passed nor failed.
    let neutral =
        |t: &TestResult| skips == Skips::Neutral && t.status == Status::Skipped && t.weight == 0.0;
    let counted = tests.iter().filter(|t| !neutral(t));
    let failed = counted.clone().filter(|t| t.status != Status::Pass).count();
    let counts = format!("{failed} of {} tests did not pass", counted.count());
    let (status, message) = match (finished.exit, over_limit) {
        (Exit::Code(_), Some(limit)) => (
            abnormal_status(limit).unwrap_or(Status::Error),
            format!("{} ({counts})", describe_exit(limit, &ctx.limits)),
        ),
        (Exit::Code(_), None) if !done => (
            Status::Error,
            format!(
                "the test run ended early: the test process {} ({counts})",
                describe_exit(finished.exit, &ctx.limits)
            ),
        ),
        (Exit::Code(_), None) if failed == 0 => {
            (Status::Pass, format!("all {} tests passed", tests.len()))
        }
        (Exit::Code(_), None) => (Status::Fail, counts),
        (exit, _) => (
            abnormal_status(exit).unwrap_or(Status::Error),
            format!("{} ({counts})", describe_exit(exit, &ctx.limits)),
        ),
    };
    let mut result = CheckResult::from_tests("pytest", status, points, tests);
    result.message = Some(message);
    Ok(result)
}

/// The limit an exception's message shows the learner's code ran into, if any: MemoryError
/// under the address-space limit, or "File too large" (EFBIG) past the file-size limit.
fn limit_in(message: &str) -> Option<Exit> {
    if message.starts_with("MemoryError") || message.contains("\nMemoryError") {
        Some(Exit::MemoryLimit)
    } else if message.contains("[Errno 27] File too large") {
        Some(Exit::DiskLimit)
    } else {
        None
    }
}

/// What pytest's fault handler wrote to stderr about a crash, without the frames of pytest
/// and the standard library: the learner's frames.
fn crash_trace(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| !line.contains("site-packages") && !line.contains("<frozen"))
        .filter(|line| !line.starts_with("Extension modules"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A run that a limit stopped before any test ran: the limit's verdict, every test not-run.
fn stopped_early(ctx: &Ctx<'_>, points: f64, expected: &[Collected], exit: Exit) -> CheckResult {
    let status = abnormal_status(exit).unwrap_or(Status::Error);
    let tests: Vec<TestResult> = expected.iter().map(not_run).collect();
    let message = format!(
        "{} ({} of {} tests did not pass)",
        describe_exit(exit, &ctx.limits),
        tests.len(),
        tests.len()
    );
    let mut result = CheckResult::from_tests("pytest", status, points, tests);
    result.message = Some(message);
    result
}

/// The last lines the learner's code printed, to show with an early end: stderr's, or else
/// stdout's; empty when it printed nothing.
fn output_tail(ctx: &Ctx<'_>, stdout: &str, stderr: &str) -> String {
    const LINES: usize = 10;
    let stderr = crash_trace(stderr);
    let printed = if stderr.trim().is_empty() {
        stdout
    } else {
        &stderr
    };
    let lines: Vec<&str> = printed.trim_end().lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = lines[lines.len().saturating_sub(LINES)..].join("\n");
    format!("; the last of what it printed:\n{}", ctx.relative(&tail))
}

fn not_run(c: &Collected) -> TestResult {
    TestResult {
        weight: c.weight,
        message: Some("not run: the test process ended before this test".into()),
        ..TestResult::new(&c.name, Status::NotRun)
    }
}
