//! Running `pygrade_graders.measure`, the harness shared by the timing and memory checks.
//!
//! The harness gets a spec file and the reference's module (copied into the job's own folder,
//! out of the learner's working directory) and streams raw samples back on a results channel.
//! This file turns that into events; the check kinds do the statistics and the grading.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::{abnormal_status, describe_exit};
use crate::bank::{Side, manifest::module_file};
use crate::grade::{CheckResult, Status};
use crate::runner::process::{CHANNEL_FD, TOKEN_FD};
use crate::runner::{Ctx, Exit};

const PROTOCOL: u32 = 1;

#[derive(Serialize)]
pub(super) struct Spec<'a> {
    pub mode: &'static str,
    pub function: &'a str,
    pub inputs: &'a str,
    pub sizes: Vec<u64>,
    pub rounds: usize,
    /// A learner call is stopped after this many times the reference's time ...
    pub give_up_ratio: Option<f64>,
    /// ... or after this many CPU seconds.
    pub give_up_seconds: Option<f64>,
    /// Filled in by [`run`].
    pub reference: String,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub(super) enum Event {
    Hello {
        protocol: u32,
    },
    Wrong {
        message: String,
    },
    Sample {
        size: u64,
        learner: f64,
        reference: f64,
    },
    Slow {
        size: u64,
        learner: f64,
        reference: f64,
        /// The learner's call was stopped: its time is a lower bound.
        capped: bool,
    },
    Memory {
        learner_peak: u64,
        reference_peak: u64,
    },
    Done {},
}

/// What one harness run gave: its events, or a verdict that settles the check already.
pub(super) enum Harnessed {
    Events(Vec<Event>),
    Settled(CheckResult),
}

pub(super) async fn run(
    ctx: &Ctx<'_>,
    kind: &'static str,
    points: f64,
    mut spec: Spec<'_>,
) -> Result<Harnessed> {
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
    let finished = ctx.run(spawn).await?;
    if let Some(line) = finished.channel.forged {
        return Ok(Harnessed::Settled(
            CheckResult::whole(kind, Status::Rejected, points).with_message(format!(
                "rejected: line {line} of the results channel was not written by pygrade's harness; results from such a run cannot be trusted"
            )),
        ));
    }
    let events: Vec<Event> = (finished.channel.lines.iter())
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();

    match events.first() {
        Some(Event::Hello { protocol }) if *protocol == PROTOCOL => {}
        Some(Event::Hello { protocol }) => bail!(
            "the measuring harness speaks protocol {protocol}, this pygrade speaks {PROTOCOL}"
        ),
        _ if matches!(finished.exit, Exit::Code(_)) => bail!(
            "the measuring harness did not start ({:?}): {}",
            finished.exit,
            finished.stderr.text().trim()
        ),
        _ => {}
    }
    if let Some(status) = abnormal_status(finished.exit) {
        return Ok(Harnessed::Settled(
            CheckResult::whole(kind, status, points).with_message(format!(
                "the measured run {}",
                describe_exit(finished.exit, &ctx.limits)
            )),
        ));
    }
    if let Some(message) = events.iter().find_map(|e| match e {
        Event::Wrong { message } => Some(message.clone()),
        _ => None,
    }) {
        return Ok(Harnessed::Settled(
            CheckResult::whole(kind, Status::Fail, points)
                .with_message(format!("wrong result, so nothing was measured: {message}")),
        ));
    }
    if finished.exit != Exit::Code(0) || !events.iter().any(|e| matches!(e, Event::Done {})) {
        // The learner's function raised (or the learner's module failed to import).
        let stderr = ctx.relative(&finished.stderr.text());
        let last = stderr.trim().lines().last().unwrap_or("").to_string();
        let mut result = CheckResult::whole(kind, Status::Error, points)
            .with_message(format!("your code raised while being measured: {last}"));
        let mut test = crate::grade::TestResult::new("measured run", Status::Error);
        test.output = stderr;
        result.tests.push(test);
        return Ok(Harnessed::Settled(result));
    }
    Ok(Harnessed::Events(events))
}
