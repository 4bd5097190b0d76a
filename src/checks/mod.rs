//! Run: one file per check kind. Each kind turns a check of the manifest into processes (via
//! the launcher) and their results into a graded [`CheckResult`]. A learner's failure of any
//! sort is a result; `Err` means pygrade itself could not do the check.

mod harness;
mod memory;
mod mypy;
mod output;
mod pytest;
mod timing;

use anyhow::Result;

use crate::bank::Check;

use crate::grade::{CheckResult, Status};
use crate::runner::{Clock, Ctx, Exit, Limits};

pub(crate) async fn run(check: &Check, ctx: &Ctx<'_>) -> Result<CheckResult> {
    match check {
        Check::Pytest { points, .. } => pytest::run(ctx, *points).await,
        Check::Mypy {
            points,
            strict,
            flags,
            include_tests,
            allow_ignores,
            ..
        } => {
            let options = mypy::Options {
                strict: *strict,
                flags,
                include_tests: *include_tests,
                allow_ignores: *allow_ignores,
            };
            mypy::run(ctx, *points, &options).await
        }
        Check::Output {
            points,
            command,
            cases,
            matching,
            ..
        } => output::run(ctx, *points, command, cases, *matching).await,
        Check::Timing {
            points,
            function,
            inputs,
            size,
            max_ratio,
            growth,
            max_exponent,
            exponent_margin,
            ..
        } => {
            let budget = match (size, growth) {
                (Some(size), _) => timing::Budget::Ratio {
                    size: *size,
                    max_ratio: max_ratio.unwrap_or(1.0),
                },
                (None, sizes) => timing::Budget::Growth {
                    sizes: sizes.clone().unwrap_or_default(),
                    max_exponent: *max_exponent,
                    margin: *exponent_margin,
                },
            };
            timing::run(ctx, *points, function, inputs, budget).await
        }
        Check::Memory {
            points,
            function,
            inputs,
            size,
            max_peak,
            max_ratio,
            ..
        } => {
            let budget = memory::Budget {
                size: *size,
                max_peak: max_peak.map(|b| b.as_u64()),
                max_ratio: *max_ratio,
            };
            memory::run(ctx, *points, function, inputs, budget).await
        }
    }
}

/// The status of a process that did not end by itself; `None` when it exited with a code.
pub(crate) fn abnormal_status(exit: Exit) -> Option<Status> {
    match exit {
        Exit::Code(_) => None,
        Exit::Timeout(_) => Some(Status::Timeout),
        Exit::OutputLimit => Some(Status::OutputLimit),
        Exit::MemoryLimit => Some(Status::MemoryLimit),
        Exit::DiskLimit => Some(Status::DiskLimit),
        Exit::ProcessLimit => Some(Status::ProcessLimit),
        Exit::Signal(_) => Some(Status::Error),
    }
}

/// How a process ended, in words for the learner, naming the limit it ran into.
pub(crate) fn describe_exit(exit: Exit, limits: &Limits) -> String {
    let size = |bytes: u64| bytesize::ByteSize(bytes).display().iec().to_string();
    match exit {
        Exit::Timeout(Clock::Wall) => format!(
            "timed out: ran past its wall-clock limit of {}",
            humantime::format_duration(limits.timeout)
        ),
        Exit::Timeout(Clock::Cpu) => format!(
            "timed out: used up its CPU time limit of {}",
            humantime::format_duration(limits.cpu_time)
        ),
        Exit::OutputLimit => format!("stopped: printed more than {}", size(limits.output)),
        Exit::DiskLimit => format!(
            "stopped: wrote more than its disk limit of {}",
            size(limits.disk)
        ),
        Exit::ProcessLimit => format!(
            "stopped: tried to run more than {} processes or threads at once",
            limits.processes
        ),
        Exit::Signal(signal) => format!("crashed with {}", signal_name(signal)),
        Exit::MemoryLimit => format!(
            "ran out of memory under its limit of {}",
            size(limits.memory)
        ),
        Exit::Code(code) => format!("exited with status {code}"),
    }
}

/// A signal number as a learner can look it up.
pub(crate) fn signal_name(signal: i32) -> String {
    let what = match signal {
        11 => " (segmentation fault)",
        6 => " (aborted)",
        9 => " (killed)",
        8 => " (floating-point exception)",
        7 => " (bus error)",
        _ => "",
    };
    match nix::sys::signal::Signal::try_from(signal) {
        Ok(sig) => format!("{}{what}", sig.as_str()),
        Err(_) => format!("signal {signal}{what}"),
    }
}
