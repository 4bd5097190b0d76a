//! Run: one file per check kind. Each kind turns a check of the manifest into processes (via
//! the launcher) and their results into a graded [`CheckResult`]. A learner's failure of any
//! sort is a result; `Err` means pygrade itself could not do the check.

mod mypy;
mod output;
mod pytest;

use anyhow::Result;

use crate::bank::Check;
use crate::grade::CheckResult;
use crate::runner::Ctx;

pub(crate) async fn run(check: &Check, ctx: &Ctx<'_>) -> Result<CheckResult> {
    match check {
        Check::Pytest { points, .. } => pytest::run(ctx, *points, check.timeout()).await,
        Check::Mypy {
            points,
            strict,
            flags,
            include_tests,
            ..
        } => {
            mypy::run(
                ctx,
                *points,
                check.timeout(),
                *strict,
                flags,
                *include_tests,
            )
            .await
        }
        Check::Output {
            points,
            command,
            cases,
            matching,
            ..
        } => output::run(ctx, *points, check.timeout(), command, cases, *matching).await,
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
