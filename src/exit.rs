//! The exit codes, in this one place. `main` turns a command's outcome into one of them.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | everything graded passed, or the command had nothing to grade (with `--exit-zero`, also when some learner work did not pass) |
//! | 1 | some learner work did not pass; for `verify`, some exercise has a problem |
//! | 2 | pygrade could not do its job (a bad manifest, a missing Python, bad arguments, an unreadable workspace, a run cut short by Ctrl-C) |
//!
//! A learner's failure is never 2, and a closed pipe (`pygrade list | head`) is not an error.

use std::process::ExitCode;

/// The text `--help` ends with.
pub(crate) const HELP: &str = "Exit codes: 0 everything graded passed; 1 some learner work did not pass; 2 pygrade could not do its job.";

/// How a command that did its job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything graded passed (or the command had nothing to grade).
    Success,
    /// Some learner work did not pass.
    Failure,
}

impl Outcome {
    /// `Success` when `passed`, else `Failure`.
    pub(crate) fn of(passed: bool) -> Outcome {
        if passed {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }
}

/// The process's exit code for what a command returned.
pub(crate) fn code(result: &anyhow::Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(err) if is_broken_pipe(err) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}

/// `pygrade list | head` closing the pipe early is not a failure.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
