//! Engine: plan a run and schedule its checks, as a stream of events.
//!
//! [`plan`] locates each submission's declared files and makes one job per check;
//! [`schedule`] runs the jobs, each through its check kind, at most `--jobs` at a time; every
//! step is an [`events::Event`] for the run's listeners (the report, the progress bar, the
//! workspace state, `verify`). The engine grades nothing itself and prints nothing.

pub(crate) mod events;
pub(crate) mod plan;
pub(crate) mod schedule;
#[cfg(test)]
mod tests;

pub(crate) use events::{Event, Graded, Listener};
pub(crate) use plan::{Submission, Work};
pub(crate) use schedule::{Engine, Workers};
