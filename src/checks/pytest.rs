//! The `pytest` check: the exercise's trusted tests against the learner's files.
//!
//! pytest runs with pygrade's own configuration (plugin autoloading off, no cache, the
//! `pygrade_graders.pytest_plugin` loaded) and reports through the results channel: a pipe the
//! process inherits, opened before any learner code runs and with no name to reopen. Because each test is written there as it finishes, a crash or a
//! timeout loses only the test in flight: the ones before it keep their results and the ones
//! after it are `not-run`.
//!
//! An exercise's hidden tests (its `hidden/` folder) run only when the run asks for them. They
//! are laid into `tests/hidden/` of the job's folder, so that `tests/conftest.py` serves them
//! as it serves the visible tests, and each of their results is marked hidden: the engine, not
//! this check, decides what a report may show of them.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::ctx::{Ctx, write_file};
use super::kind::Kind;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::{HIDDEN, Layout};
use crate::contain::{CHANNEL_FD, Exit, Finished, Quiet, TOKEN_FD};
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
    /// The longest one test may run (its setup, call and teardown); past it the test is
    /// `timeout` and the tests after it still run. Default: half the check's `timeout`.
    #[serde(default, with = "humantime_serde")]
    test_timeout: Option<Duration>,
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
        let mut problems = Vec::new();
        if !(exercise.has_dir)(Path::new("tests")) {
            problems.push("the exercise has no tests/ folder".into());
        }
        if (exercise.has_dir)(Path::new(HIDDEN_TESTS)) {
            problems.push(format!(
                "{HIDDEN_TESTS}/ is where the hidden tests run: rename that folder, or move its tests to {HIDDEN}/"
            ));
        }
        // pytest imports a test module of a folder without `__init__.py` by its file name,
        // so two modules of one name cannot run together (conftest.py files excepted).
        let visible: Vec<PathBuf> = (exercise.files_in)(Path::new("tests"));
        for hidden in (exercise.files_in)(Path::new(HIDDEN)) {
            let name = hidden.file_name().unwrap_or_default();
            let module = hidden.extension().is_some_and(|e| e == "py") && name != "conftest.py";
            let clash = visible.iter().find(|v| v.file_name() == Some(name));
            if let Some(clash) = clash.filter(|_| module) {
                problems.push(format!(
                    "{} has the name of {}: pytest imports test files by name, so give it another",
                    hidden.display(),
                    clash.display()
                ));
            }
        }
        problems
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        run(ctx, self).await
    }
}

/// How a pytest check's message begins when the learner's code could not be loaded at all;
/// the terminal report recognises it, to show that cause once.
pub(crate) const COULD_NOT_LOAD: &str = "the tests could not load your code because of ";

/// Where a job's folder holds the exercise's hidden tests, when they run: inside `tests/`, so
/// that `tests/conftest.py` applies to them too.
const HIDDEN_TESTS: &str = "tests/hidden";

/// Whether a test, by its pytest id (`tests/hidden/test_x.py::test_y`), is a hidden one.
fn is_hidden(id: &str) -> bool {
    id.strip_prefix(HIDDEN_TESTS)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Writes the exercise's hidden tests into `root`, a folder laid out as a job's.
fn lay_out_hidden(ctx: &Ctx<'_>, root: &Path) -> Result<()> {
    for (path, bytes) in ctx.exercise.hidden_files() {
        write_file(&root.join(HIDDEN_TESTS).join(path), bytes)?;
    }
    Ok(())
}

/// How the plugin names the bindings it keeps for a test module, in the `__pycache__` beside
/// it (`test_x.py.pygrade-bindings.json`).
const KEPT_BINDINGS: &str = ".pygrade-bindings.json";

/// pytest's exit status for an internal error.
const PYTEST_INTERNAL_ERROR: i32 = 3;

/// pygrade's own pytest configuration; nothing from the learner's folder is read.
/// `verbosity_assertions = 2` puts whole assertion diffs into the messages.
const PYTEST_INI: &str =
    "[pytest]\npythonpath = .\ntestpaths = tests\naddopts =\nverbosity_assertions = 2\n";

/// pytest's command line with pygrade's configuration and plugin, results to the channel.
pub(super) fn pytest_args(ctx: &Ctx<'_>, root: &Path, extra: &[&str]) -> Result<Vec<OsString>> {
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

/// What collecting an exercise's tests with its reference solution gives, kept per exercise.
#[derive(Serialize, Deserialize)]
struct Reference {
    /// Every test of the exercise, hidden ones included.
    tests: Vec<Collected>,
    /// The test modules as pytest rewrote them (its files in the `__pycache__` folders under
    /// `tests/`), by path in a job's folder. Laid beside the tests of a learner's run, they
    /// spare pytest rewriting each test module again: it loads one only where its test
    /// module's source has the hash the file names, under the same Python and pytest, and
    /// rewrites the module otherwise. Beside them, pygrade's plugin keeps what each test
    /// module binds at its top level (read from its source, and used only for the source of
    /// the same hash), sparing each run parsing it again.
    rewritten: Vec<Rewritten>,
}

/// One of pytest's rewritten test modules, or the bindings the plugin kept beside it.
#[derive(Serialize, Deserialize)]
struct Rewritten {
    path: PathBuf,
    #[serde(with = "hex::serde")]
    bytes: Vec<u8>,
}

impl Reference {
    /// The tests the exercise defines, with their weights: a test the learner's run does not
    /// report is then a failure, not an absence. The hidden tests are among them when they
    /// run, after the visible ones.
    fn expected_tests(self, ctx: &Ctx<'_>) -> Vec<Collected> {
        let mut tests = self.tests;
        tests.retain(|c| ctx.hidden.runs() || !is_hidden(&c.id));
        tests.sort_by_key(|c| is_hidden(&c.id));
        tests
    }

    /// Lays the rewritten test modules into the job's folder: the hidden tests' only when
    /// they run.
    fn lay_rewritten(&self, ctx: &Ctx<'_>) -> Result<()> {
        for kept in &self.rewritten {
            let inside = kept.path.starts_with("tests")
                && (kept.path.components()).all(|c| matches!(c, Component::Normal(_)));
            if inside && (ctx.hidden.runs() || !kept.path.starts_with(HIDDEN_TESTS)) {
                write_file(&ctx.work.join(&kept.path), &kept.bytes)?;
            }
        }
        Ok(())
    }
}

/// pytest's rewritten test modules under `root`'s `tests/` folder, and the bindings kept
/// beside them, by path in `root`.
fn rewritten_in(root: &Path) -> Result<Vec<Rewritten>> {
    let mut found = Vec::new();
    let tests = root.join("tests");
    if !tests.is_dir() {
        return Ok(found);
    }
    for entry in walkdir::WalkDir::new(&tests).sort_by_file_name() {
        let entry = entry?;
        let path = entry.path();
        let in_cache = path.parent().and_then(Path::file_name) == Some("__pycache__".as_ref());
        let kept = (path.file_name().and_then(|n| n.to_str()))
            .is_some_and(|n| n.contains("-pytest-") || n.ends_with(KEPT_BINDINGS));
        if entry.file_type().is_file() && in_cache && kept {
            found.push(Rewritten {
                path: path.strip_prefix(root)?.to_path_buf(),
                bytes: std::fs::read(path)?,
            });
        }
    }
    Ok(found)
}

/// The exercise's tests as collected with the reference solution (trusted code, before any
/// learner code runs), and pytest's rewritten test modules. Cached by everything they depend
/// on: the exercise's files, the Python and pytest, pygrade and its graders package (whose
/// plugin collects them).
async fn collected_with_reference(ctx: &Ctx<'_>) -> Result<Reference> {
    let exercise = ctx.exercise;
    let mut parts: Vec<&[u8]> = vec![
        env!("CARGO_PKG_VERSION").as_bytes(),
        b"rewritten, read, bindings kept",
        ctx.toolchain.graders.as_os_str().as_encoded_bytes(),
    ];
    // pytest's rewritten modules are of one Python and one pytest.
    parts.push(ctx.toolchain.versions.python.as_bytes());
    parts.extend(ctx.toolchain.versions.pytest.as_deref().map(str::as_bytes));
    for (path, bytes) in &exercise.files {
        parts.push(path.as_os_str().as_encoded_bytes());
        parts.push(bytes);
    }
    let cache = crate::toolchain::home()?
        .join("collected")
        .join(format!("{}.json", crate::toolchain::short_hash(&parts)));
    if let Some(reference) = std::fs::read(&cache)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        return Ok(reference);
    }
    let root = ctx.reference_folder("collect")?;
    lay_out_hidden(ctx, &root)?;
    let collect = |extra: &'static [&'static str]| {
        let mut args = pytest_args(ctx, &root, &["--collect-only"])?;
        args.extend(extra.iter().map(OsString::from));
        let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
        spawn.cwd = root.clone();
        spawn.channel = true;
        spawn.warm = true;
        anyhow::Ok(spawn)
    };
    let finished = ctx.run(collect(&["--pygrade-write-rewritten"])?).await?;
    let rewritten = rewritten_in(&root)?;
    // Collected again from the rewritten modules, as a learner's run will load them: a module
    // loaded from pytest's cache need not be the one just compiled in every detail (a set
    // among its constants may list its members in another order, and so name a test that
    // the set parametrizes differently).
    let finished = if rewritten.is_empty() {
        finished
    } else {
        ctx.run(collect(&[])?).await?
    };
    // The learner's code runs in the same job folder next: it finds neither the reference
    // nor the hidden tests there.
    std::fs::remove_dir_all(&root)
        .with_context(|| format!("could not remove {}", root.display()))?;
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
    let reference = Reference { tests, rewritten };
    if let Some(parent) = cache.parent() {
        std::fs::create_dir_all(parent)?;
        let staged = tempfile::NamedTempFile::new_in(parent)?;
        std::fs::write(staged.path(), serde_json::to_vec(&reference)?)?;
        let _ = staged.persist(&cache);
    }
    Ok(reference)
}

async fn run(ctx: &Ctx<'_>, section: &Pytest) -> Result<CheckResult> {
    let (points, skips) = (ctx.points, section.skips);
    let reference = collected_with_reference(ctx).await?;
    if ctx.hidden.runs() {
        lay_out_hidden(ctx, &ctx.work)?;
    }
    reference.lay_rewritten(ctx)?;
    let expected = reference.expected_tests(ctx);
    // By default a test may take half the check's time, so that one looping test leaves
    // time for the others.
    let test_timeout = section
        .test_timeout
        .unwrap_or_else(|| ctx.limits.timeout.unwrap_or(Pytest::TIMEOUT) / 2);
    // When a test runs past its limit, the process is stopped and the tests it had not run
    // yet run again in a fresh one, within what is left of the check's time (on the
    // supervisor's clock, which does not count waiting for a busy core): the results of the
    // earlier runs, and the tests that were stopped.
    let mut spent = Duration::ZERO;
    let mut earlier: HashMap<String, Reported> = HashMap::new();
    let mut stopped: Vec<String> = Vec::new();
    let (finished, run) = loop {
        let skip: Vec<&String> = earlier.keys().chain(&stopped).collect();
        let finished = run_pytest(ctx, &skip, test_timeout, spent).await?;
        spent += finished.clock;
        let run = RunEvents::read(&finished)?;
        let in_flight = run.in_flight();
        let sound = run.hello && run.collected.is_some() && run.forged.is_none();
        let left = ctx
            .limits
            .timeout
            .unwrap_or(Duration::MAX)
            .saturating_sub(spent);
        match in_flight {
            Some(id) if finished.exit == Exit::Quiet && sound && left > MIN_RERUN => {
                earlier.extend(run.reported);
                stopped.push(id);
            }
            _ => break (finished, run),
        }
    };
    let RunEvents {
        hello,
        collected,
        mut reported,
        mut collect_errors,
        tampered,
        forged,
        done,
        pytest_status,
        started,
    } = run;
    reported.extend(earlier);
    let ran_past = |id: &str| {
        stopped.iter().any(|s| s == id)
            || (finished.exit == Exit::Quiet && started.as_deref() == Some(id))
    };
    let past_its_limit = format!(
        "timed out: this test ran past its limit of {}",
        humantime::format_duration(test_timeout)
    );
    if !hello {
        if matches!(finished.exit, Exit::Code(_)) {
            // pytest could not even start: that is pygrade's environment, not the learner.
            bail!(
                "pytest did not start ({:?}): {}",
                finished.exit,
                finished.stderr.text().trim()
            );
        }
        // Ended by a limit (a timeout, the memory limit) before pytest said hello: that limit
        // is the verdict. Otherwise it crashed: an error.
        let status = abnormal_status(finished.exit).unwrap_or(Status::Error);
        return Ok(
            CheckResult::whole("pytest", status, points).with_message(format!(
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
    if let Some(what) = tampered.describe() {
        return Ok(
            CheckResult::whole("pytest", Status::Rejected, points).with_message(format!(
                "rejected: your code {what}; results from such a run cannot be trusted"
            )),
        );
    }
    // A visible test file's error speaks for the run. One in a hidden file alone is said
    // without its text, which shows the hidden test's code: that goes to the hidden tests.
    let first_error = collect_errors
        .iter()
        .position(|e| !is_hidden(&e.location))
        .or((!collect_errors.is_empty()).then_some(0));
    if let Some(CollectError {
        kind,
        message,
        location,
    }) = first_error.map(|at| collect_errors.swap_remove(at))
    {
        let reason = match kind.as_str() {
            "syntax-error" => "a syntax error",
            "import-error" => "an import error",
            _ => "an exception raised while importing",
        };
        let in_hidden = is_hidden(&location);
        let mut text = if in_hidden {
            format!("the hidden tests could not load your code because of {reason}")
        } else {
            format!("{COULD_NOT_LOAD}{reason}:\n{message}")
        };
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
        if in_hidden {
            let in_file = format!("{location}::");
            for (test, c) in result.tests.iter_mut().zip(&expected) {
                if c.id.starts_with(&in_file) {
                    test.status = Status::Error;
                    test.message = Some(format!("this test could not load your code:\n{message}"));
                }
            }
        }
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

    let in_flight = started.clone().filter(|id| !reported.contains_key(id));
    // Graded against the tests the exercise defines, whatever the run collected: a test the
    // run never reported (deselected, removed, kept from collection) fails, a hidden test
    // too; after a run that ended early, the tests it never reached did not run.
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
                ..test_of(c, Status::Pass)
            },
            None if ran_past(&c.id) => TestResult {
                message: Some(past_its_limit.clone()),
                ..test_of(c, Status::Timeout)
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
                ..test_of(c, abnormal_status(finished.exit).unwrap_or(Status::Error))
            },
            None if ran_to_the_end || !collected.iter().any(|t| t.id == c.id) => TestResult {
                message: Some("not reported: the test run never reported this test".into()),
                ..test_of(c, Status::Fail)
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
    let timed_out = tests.iter().filter(|t| t.status == Status::Timeout).count();
    let (status, message) = match (finished.exit, over_limit) {
        // The run went on past tests that ran past their limit, and ended by itself.
        (Exit::Code(_), None) if done && timed_out > 0 => (
            Status::Timeout,
            format!(
                "{} ({counts})",
                ran_past_their_limit(timed_out, test_timeout)
            ),
        ),
        (Exit::Quiet, None) => (
            Status::Timeout,
            format!(
                "{}, and the check's time ran out ({counts})",
                ran_past_their_limit(timed_out, test_timeout)
            ),
        ),
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
    // A hidden test's failure is located where the bank holds it.
    for test in tests.iter_mut().filter(|t| t.hidden) {
        if let Some(at) = &mut test.location
            && let Some(rest) = at.strip_prefix(HIDDEN_TESTS)
        {
            *at = format!("{HIDDEN}{rest}");
        }
    }
    let mut result = CheckResult::from_tests("pytest", status, points, tests);
    result.message = Some(message);
    Ok(result)
}

/// The limit an exception's message shows the learner's code ran into, if any: MemoryError
/// under the address-space limit, or "File too large" (EFBIG) past the file-size limit.
fn limit_in(message: &str) -> Option<Exit> {
    if message.starts_with("MemoryError") || message.contains("\nMemoryError") {
        Some(Exit::MemoryLimit { peak_kib: None })
    } else if message.contains("[Errno 27] File too large") {
        Some(Exit::DiskLimit)
    } else {
        None
    }
}

/// What pytest's fault handler wrote to stderr about a crash, without the frames of pytest
/// and the standard library, nor those of a warm worker's runner (the code that started the
/// module where `python -m` would have): the learner's frames.
fn crash_trace(stderr: &str) -> String {
    let mut lines: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.contains("site-packages") && !line.contains("<frozen"))
        .filter(|line| !line.starts_with("Extension modules"))
        .filter(|line| !line.contains("pygrade_graders/warm.py\""))
        .collect();
    // The outermost frame, the worker's call into its runner.
    if lines
        .last()
        .is_some_and(|line| line.trim() == "File \"<string>\", line 1 in <module>")
    {
        lines.pop();
    }
    lines.join("\n")
}

/// "2 tests ran past their limit of 5s a test".
fn ran_past_their_limit(count: usize, limit: Duration) -> String {
    let limit = humantime::format_duration(limit);
    match count {
        1 => format!("1 test ran past its limit of {limit}"),
        n => format!("{n} tests ran past their limit of {limit} a test"),
    }
}

/// Less time than this left in the check is not worth starting pytest again for.
const MIN_RERUN: Duration = Duration::from_millis(500);

/// Runs pytest on the job's folder, leaving out the tests `skip` names, with what is left
/// of the check's time (`spent` is gone) and each test held to `test_timeout`.
async fn run_pytest(
    ctx: &Ctx<'_>,
    skip: &[&String],
    test_timeout: Duration,
    spent: Duration,
) -> Result<Finished> {
    let mut args = pytest_args(ctx, &ctx.work, &[])?;
    for id in skip {
        args.push("--deselect".into());
        args.push(id.into());
    }
    let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
    spawn.channel = true;
    spawn.warm = true;
    let limits = &mut spawn.limits;
    limits.timeout = limits.timeout.map(|t| t.saturating_sub(spent));
    let cpu_spent = Duration::from_millis(ctx.usage().cpu_ms);
    limits.cpu_time = limits.cpu_time.map(|t| t.saturating_sub(cpu_spent));
    // A limit per test only where it is shorter than the whole run's, and only once the
    // tests are collected (the plugin's greeting and its list of tests): importing the
    // learner's code is held to the check's limits alone.
    spawn.quiet = Some(test_timeout)
        .filter(|t| limits.timeout.is_none_or(|whole| *t < whole))
        .map(|limit| Quiet {
            limit,
            after_lines: 2,
        });
    ctx.run(spawn).await
}

/// A test file that could not be collected: why (`syntax-error`, `import-error`,
/// `exception`), pytest's text, and the file's id.
pub(super) struct CollectError {
    kind: String,
    pub message: String,
    location: String,
}

/// What the plugin saw learner code do to the test process, over all its `tampered` events.
#[derive(Default)]
pub(super) struct Tampering {
    replaced: Vec<String>,
    inspected: Vec<String>,
}

impl Tampering {
    fn add(&mut self, replaced: Vec<String>, inspected: Vec<String>) {
        for (into, names) in [
            (&mut self.replaced, replaced),
            (&mut self.inspected, inspected),
        ] {
            for name in names {
                if !into.contains(&name) {
                    into.push(name);
                }
            }
        }
    }

    /// What learner code did, as the rest of a sentence whose subject is "your code"; `None`
    /// when it did nothing of the kind.
    pub(super) fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.replaced.is_empty() {
            parts.push(format!(
                "replaced what the grading relies on ({})",
                Self::some(&self.replaced)
            ));
        }
        if !self.inspected.is_empty() {
            parts.push(format!(
                "reached into the test process for its frames or objects ({})",
                Self::some(&self.inspected)
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" and "))
    }

    /// The first few names, and how many more there are: a patch of a whole class names
    /// every method.
    fn some(names: &[String]) -> String {
        const SHOWN: usize = 6;
        let shown = names[..names.len().min(SHOWN)].join(", ");
        match names.len().saturating_sub(SHOWN) {
            0 => shown,
            more => format!("{shown} and {more} more"),
        }
    }
}

/// What one pytest process said on its results channel.
pub(super) struct RunEvents {
    hello: bool,
    /// `None` until the plugin has said which tests it collected.
    pub collected: Option<Vec<Collected>>,
    pub reported: HashMap<String, Reported>,
    pub collect_errors: Vec<CollectError>,
    pub tampered: Tampering,
    /// Events out of the plugin's order mean something else wrote to the channel.
    pub forged: Option<&'static str>,
    pub done: bool,
    /// pytest's own exit status, from `done`.
    pytest_status: Option<i32>,
    /// The last test that started.
    started: Option<String>,
}

impl RunEvents {
    pub(super) fn read(finished: &Finished) -> Result<RunEvents> {
        let (events, garbled) = protocol::parse(&finished.channel.lines, finished.channel.forged);
        let mut run = RunEvents {
            hello: false,
            collected: None,
            reported: HashMap::new(),
            collect_errors: Vec::new(),
            tampered: Tampering::default(),
            forged: garbled.map(|_| "a line that is not an event"),
            done: false,
            pytest_status: None,
            started: None,
        };
        for event in events {
            if run.done {
                run.forged
                    .get_or_insert("an event after the end of the run");
            }
            match event {
                Event::Hello { .. } if run.hello => {
                    run.forged.get_or_insert("a second greeting");
                }
                Event::Hello { protocol } if protocol == protocol::VERSION => run.hello = true,
                Event::Hello { protocol } => {
                    return Err(Mismatch {
                        speaker: "pytest plugin",
                        found: protocol,
                        fix: "run `pygrade setup` to refresh it",
                    }
                    .into());
                }
                Event::Collected { tests } => {
                    if run.collected.is_some() || run.started.is_some() {
                        run.forged.get_or_insert("a second list of tests");
                    }
                    run.collected = Some(tests);
                }
                Event::CollectError {
                    kind,
                    message,
                    location,
                } => run.collect_errors.push(CollectError {
                    kind,
                    message,
                    location,
                }),
                Event::Start { id } => run.started = Some(id),
                Event::Result(result) => {
                    if run.started.as_deref() != Some(result.id.as_str()) {
                        run.forged
                            .get_or_insert("a result for a test that was not running");
                    }
                    if run.reported.contains_key(&result.id) {
                        run.forged.get_or_insert("a second result for one test");
                    }
                    run.reported.insert(result.id.clone(), result);
                }
                Event::Tampered {
                    replaced,
                    inspected,
                } => run.tampered.add(replaced, inspected),
                Event::Done { exit_status } => {
                    run.done = true;
                    run.pytest_status = exit_status;
                }
            }
        }
        Ok(run)
    }

    /// The test that started and never finished, if any.
    fn in_flight(&self) -> Option<String> {
        self.started
            .clone()
            .filter(|id| !self.reported.contains_key(id))
    }
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
        message: Some("not run: the test process ended before this test".into()),
        ..test_of(c, Status::NotRun)
    }
}

/// The result of the collected test `c`, with its name, weight and whether it is hidden.
fn test_of(c: &Collected, status: Status) -> TestResult {
    TestResult {
        weight: c.weight,
        hidden: is_hidden(&c.id),
        ..TestResult::new(&c.name, status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tampering(lines: &[&str]) -> Tampering {
        let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let (events, garbled) = protocol::parse::<Event>(&lines, None);
        assert_eq!(garbled, None);
        let mut found = Tampering::default();
        for event in events {
            if let Event::Tampered {
                replaced,
                inspected,
            } = event
            {
                found.add(replaced, inspected);
            }
        }
        found
    }

    #[test]
    fn an_honest_run_has_nothing_to_describe() {
        assert_eq!(tampering(&[]).describe(), None);
        assert_eq!(
            tampering(&[r#"{"event": "tampered", "replaced": []}"#]).describe(),
            None
        );
    }

    #[test]
    fn tampering_seen_over_the_run_adds_up_once_each() {
        let found = tampering(&[
            r#"{"event": "tampered", "replaced": ["builtins.__import__"]}"#,
            r#"{"event": "tampered", "replaced": [], "inspected": ["sys._getframe from word_count.py:12"]}"#,
            r#"{"event": "tampered", "replaced": ["builtins.__import__", "sys.meta_path"]}"#,
        ]);
        assert_eq!(
            found.describe().unwrap(),
            "replaced what the grading relies on (builtins.__import__, sys.meta_path) and reached \
             into the test process for its frames or objects (sys._getframe from word_count.py:12)"
        );
    }

    #[test]
    fn a_long_list_of_replacements_is_cut_with_a_count() {
        let names: Vec<String> = (0..9).map(|i| format!("\"m.f{i}\"")).collect();
        let line = format!(
            r#"{{"event": "tampered", "replaced": [{}]}}"#,
            names.join(", ")
        );
        let described = tampering(&[&line]).describe().unwrap();
        assert!(
            described.ends_with("(m.f0, m.f1, m.f2, m.f3, m.f4, m.f5 and 3 more)"),
            "{described}"
        );
    }
}
