//! Running `pygrade_graders.measure`, the harness shared by the timing and memory checks.
//!
//! The harness gets a spec file and the reference's module (copied into the job's own folder,
//! out of the learner's working directory) and streams raw samples back on a results channel.
//! This file turns that into events; the check kinds do the statistics and the grading.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::ctx::Ctx;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::{Layout, Side};
use crate::contain::{CHANNEL_FD, Exit, Finished, TOKEN_FD};
use crate::grade::{CheckResult, Status, TestResult};
use crate::protocol::measure::{Event, Spec};
use crate::protocol::{self, Mismatch};

/// What one harness run gave: its events, or a verdict that settles the check already.
pub(super) enum Harnessed {
    Events(Vec<Event>),
    Settled(Box<CheckResult>),
}

/// Runs the harness on `spec` in the learner's working folder, and settles the check where
/// the run says all: a forged channel, learner code that reached for the frames, a limit hit, a
/// wrong answer, learner code that raised.
pub(super) async fn run(
    ctx: &Ctx<'_>,
    kind: &'static str,
    points: f64,
    spec: Spec<'_>,
) -> Result<Harnessed> {
    let finished = start(ctx, kind, spec, ctx.work.clone()).await?;
    if let Some(line) = finished.channel.forged {
        return Ok(Harnessed::Settled(Box::new(
            CheckResult::whole(kind, Status::Rejected, points).with_message(format!(
                "rejected: line {line} of the results channel was not written by pygrade's harness; results from such a run cannot be trusted"
            )),
        )));
    }
    let events = said(&finished)?;
    let inspected: Vec<&str> = (events.iter())
        .filter_map(|e| match e {
            Event::Tampered { inspected } => Some(inspected),
            _ => None,
        })
        .flatten()
        .map(String::as_str)
        .collect();
    if !inspected.is_empty() {
        return Ok(Harnessed::Settled(Box::new(
            CheckResult::whole(kind, Status::Rejected, points).with_message(format!(
                "rejected: your code reached into the measuring harness for its frames ({}); results from such a run cannot be trusted",
                ctx.relative(&inspected.join(", "))
            )),
        )));
    }
    if let Some(status) = abnormal_status(finished.exit) {
        return Ok(Harnessed::Settled(Box::new(
            CheckResult::whole(kind, status, points).with_message(format!(
                "the measured run {}",
                describe_exit(finished.exit, &ctx.limits)
            )),
        )));
    }
    if let Some(message) = events.iter().find_map(|e| match e {
        Event::Wrong { message } => Some(message.clone()),
        _ => None,
    }) {
        return Ok(Harnessed::Settled(Box::new(
            CheckResult::whole(kind, Status::Fail, points)
                .with_message(format!("wrong result, so nothing was measured: {message}")),
        )));
    }
    if !ran_whole(&finished, &events) {
        // The learner's function raised (or the learner's module failed to import).
        let stderr = ctx.relative(&finished.stderr.text());
        let last = stderr.trim().lines().last().unwrap_or("").to_string();
        let mut result = CheckResult::whole(kind, Status::Error, points)
            .with_message(format!("your code raised while being measured: {last}"));
        let mut test = TestResult::new("measured run", Status::Error);
        test.output = stderr;
        result.tests.push(test);
        return Ok(Harnessed::Settled(Box::new(result)));
    }
    Ok(Harnessed::Events(events))
}

/// What the harness said running `spec` on the reference alone, in a folder of the exercise's
/// trusted files and its reference, none of the learner's ([`Ctx::reference_folder`]): a
/// trusted run, whose figures pygrade keeps for every learner. Anything but a whole run is
/// pygrade's failure or the bank's, never the learner's.
pub(super) async fn trusted(
    ctx: &Ctx<'_>,
    kind: &'static str,
    spec: Spec<'_>,
) -> Result<Vec<Event>> {
    let root = ctx.reference_folder(&format!("{kind}-reference"))?;
    let finished = start(ctx, kind, spec, root.clone()).await?;
    std::fs::remove_dir_all(&root)
        .with_context(|| format!("could not remove {}", root.display()))?;
    let events = said(&finished)?;
    if !ran_whole(&finished, &events) {
        bail!(
            "{}: the reference could not be measured ({}): {}",
            ctx.exercise.id,
            describe_exit(finished.exit, &ctx.limits),
            finished.stderr.text().trim()
        );
    }
    Ok(events)
}

/// Runs the harness on `spec` in `cwd`, the reference's module copied into the job's own
/// folder (out of the learner's working directory).
async fn start(
    ctx: &Ctx<'_>,
    kind: &'static str,
    mut spec: Spec<'_>,
    cwd: PathBuf,
) -> Result<Finished> {
    let module = module_file(spec.function).context("`function` names no module")?;
    let reference = ctx
        .exercise
        .side_file(Side::Reference, &module)
        .with_context(|| format!("the bank has no reference/{module}"))?;
    let reference_path = ctx.own.join("reference_impl.py");
    std::fs::write(&reference_path, reference)?;
    spec.reference = reference_path.display().to_string();
    let spec_path = ctx.own.join(format!("{kind}-spec.json"));
    std::fs::write(&spec_path, serde_json::to_vec(&spec)?)?;

    let args = vec![
        "-B".into(),
        "-m".into(),
        "pygrade_graders.measure".into(),
        spec_path.into(),
        CHANNEL_FD.to_string().into(),
        TOKEN_FD.to_string().into(),
    ];
    let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
    spawn.channel = true;
    spawn.cwd = cwd;
    ctx.run(spawn).await
}

/// Whether the harness ran to its end: it exited 0 after saying `done`.
fn ran_whole(finished: &Finished, events: &[Event]) -> bool {
    finished.exit == Exit::Code(0) && events.iter().any(|e| matches!(e, Event::Done {}))
}

/// The events of a harness run whose channel only the harness wrote, once it has said hello
/// in this protocol. (A line that is no event is passed over: the token already proved who
/// wrote it.)
fn said(finished: &Finished) -> Result<Vec<Event>> {
    let (events, _) = protocol::parse::<Event>(&finished.channel.lines, None);
    match events.first() {
        Some(Event::Hello { protocol }) if *protocol == protocol::VERSION => {}
        Some(Event::Hello { protocol }) => {
            return Err(Mismatch {
                speaker: "measuring harness",
                found: *protocol,
                fix: "run `pygrade setup` to refresh it",
            }
            .into());
        }
        _ if matches!(finished.exit, Exit::Code(_)) => bail!(
            "the measuring harness did not start ({:?}): {}",
            finished.exit,
            finished.stderr.text().trim()
        ),
        _ => {}
    }
    Ok(events)
}

/// What is wrong with a timing or memory check's `function` and `inputs`: `function` must
/// name a learner file's module, and `inputs` a trusted module file.
pub(super) fn problems(function: &str, inputs: &str, exercise: &Layout<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    match module_file(function) {
        Some(file) if exercise.files.contains(&file) => {}
        _ => problems.push(format!(
            "`function` {function:?} must be `module.callable` with module.py one of `files`"
        )),
    }
    match module_file(inputs) {
        Some(file) if (exercise.has_file)(Path::new(&file)) => {}
        _ => problems.push(format!(
            "`inputs` {inputs:?} must be `module.function` with module.py a file of the exercise"
        )),
    }
    problems
}

/// `pkg.module.callable` -> `pkg/module.py`.
fn module_file(dotted: &str) -> Option<String> {
    let (module, name) = dotted.rsplit_once('.')?;
    (!module.is_empty() && !name.is_empty()).then(|| format!("{}.py", module.replace('.', "/")))
}
