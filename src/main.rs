//! pygrade: grade Python exercises with pytest, mypy and output checks, run contained.
//!
//! The pipeline, one module per stage:
//!
//!     cli (args) -> bank (discover exercises) -> plan (locate submissions, plan jobs)
//!       -> runner (contained processes) + checks (one file per kind)
//!       -> grade (statuses, points) -> report (one model, an emitter per format) -> exit code
//!
//! `main` only parses the arguments, hands them to `app`, and turns the outcome into the
//! process's exit code, in this one place.

mod app;
mod bank;
mod checks;
mod cli;
mod grade;
mod plan;
mod report;
mod runner;
mod stats;
mod toolchain;
mod workspace;

use std::process::ExitCode;

use clap::Parser;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything graded passed (or the command had nothing to grade).
    Success,
    /// Some learner work did not pass.
    Failure,
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pygrade: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// `pygrade list | head` closing the pipe early is not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
