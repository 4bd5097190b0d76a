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
use std::time::Duration;

use crate::grade::{CheckResult, Status};
use crate::runner::{Ctx, Exit};

pub(crate) async fn run(check: &Check, ctx: &Ctx<'_>) -> Result<CheckResult> {
    match check {
        Check::Pytest { points, .. } => pytest::run(ctx, *points, check.timeout()).await,
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
            mypy::run(ctx, *points, check.timeout(), &options).await
        }
        Check::Output {
            points,
            command,
            cases,
            matching,
            ..
        } => output::run(ctx, *points, check.timeout(), command, cases, *matching).await,
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
            timing::run(ctx, *points, check.timeout(), function, inputs, budget).await
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
            memory::run(ctx, *points, check.timeout(), function, inputs, budget).await
        }
    }
}

/// The status of a process that did not end by itself; `None` when it exited with a code.
pub(crate) fn abnormal_status(exit: Exit) -> Option<Status> {
    match exit {
        Exit::Code(_) => None,
        Exit::Timeout => Some(Status::Timeout),
        Exit::OutputLimit => Some(Status::OutputLimit),
        Exit::MemoryLimit => Some(Status::MemoryLimit),
        Exit::Signal(_) => Some(Status::Error),
    }
}

/// How a process ended, in words for the learner.
pub(crate) fn describe_exit(exit: Exit, timeout: Duration) -> String {
    match exit {
        Exit::Timeout => format!("timed out after {}", humantime::format_duration(timeout)),
        Exit::OutputLimit => format!(
            "stopped: printed more than {} MiB",
            crate::runner::process::OUTPUT_LIMIT / (1024 * 1024)
        ),
        Exit::Signal(signal) => format!("crashed with {}", signal_name(signal)),
        Exit::MemoryLimit => "ran out of memory under its limit".to_string(),
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
