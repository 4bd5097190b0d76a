//! pygrade: grade Python exercises with pytest, mypy, output, timing and memory checks, run
//! contained.
//!
//! The pipeline, one floor per stage, each importing only the floors below it:
//!
//!     commands (one file per command; cli and settings)
//!       -> report (the model, one file per format, progress), cohort (learners, shards, cache)
//!       -> engine (plan, schedule, a run as a stream of events)
//!       -> checks (one file per kind)
//!       -> bank (discover exercises, manifests)
//!       -> contain (launch, supervise, sandbox, limits)
//!       -> protocol, grade, toolchain, stats, files (leaves)
//!
//! `main` only parses the arguments, hands them to a command, and turns the outcome into the
//! process's exit code (see [`exit`]).

mod bank;
mod checks;
mod cli;
mod cohort;
mod commands;
mod contain;
mod engine;
mod exit;
mod files;
mod grade;
mod protocol;
mod report;
mod settings;
mod stats;
mod toolchain;
mod workspace;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = commands::run(cli);
    if let Err(err) = &result
        && !exit::is_broken_pipe(err)
    {
        eprintln!("pygrade: error: {err:#}");
    }
    exit::code(&result)
}
