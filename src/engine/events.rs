//! A run as a stream of typed events, keyed by submission, exercise and check.
//!
//! The engine hands every event to each [`Listener`] of the run, in order, as it happens:
//! the progress bar, the report being collected, the workspace's remembered grades and
//! `verify`'s judgement are all listeners, and several can listen to one run at once. Nothing
//! downstream regroups results by their position: each result says whose it is.

use anyhow::Result;

use crate::bank::Exercise;
use crate::grade::{self, CheckResult, NotGraded, Status};

/// One exercise of one submission: the unit a report line, a gradebook cell or a workspace's
/// remembered grade is about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit<'a> {
    /// Whose work: a learner's workspace, or in `verify` the bank's `reference` or `starter`.
    pub submission: &'a str,
    pub exercise: &'a Exercise,
    /// Its place in the run's plan, for listeners that show units in plan order.
    pub seq: usize,
}

/// One exercise of one submission, graded: every check's result, in manifest order.
#[derive(Debug, Clone)]
pub(crate) struct Graded<'a> {
    pub unit: Unit<'a>,
    /// False while the learner's files are still the starter files.
    pub started: bool,
    /// The files of the learner's folder that no check saw.
    pub not_graded: Vec<NotGraded>,
    pub checks: Vec<CheckResult>,
}

impl Graded<'_> {
    /// `pass` when every check passed, otherwise the most urgent status of its checks.
    pub(crate) fn status(&self) -> Status {
        grade::exercise_status(&self.checks)
    }

    /// Points earned and the most there were.
    pub(crate) fn score(&self) -> (f64, f64) {
        let sum = |f: fn(&CheckResult) -> f64| grade::round2(self.checks.iter().map(f).sum());
        (sum(|c| c.score), sum(|c| c.max_score))
    }

    /// Whether every check ran (none was skipped by an interruption).
    pub(crate) fn complete(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Skipped)
    }
}

/// Listeners take what they need of each event; every field is part of the stream's contract
/// (the engine's test reads them all), so none is dead for want of a reader today.
#[allow(dead_code)]
#[derive(Debug)]
pub(crate) enum Event<'e, 'a> {
    /// The run is planned: how many units and checks it holds.
    RunStarted { units: usize, checks: usize },
    /// The first check of a unit has started.
    ExerciseStarted { unit: Unit<'a> },
    /// Check number `check` (in manifest order) of a unit has started.
    CheckStarted { unit: Unit<'a>, check: usize },
    /// It has finished, or was skipped by an interruption: its result as the check gave it,
    /// before the exercise's quality checks are scaled to what the others earned.
    CheckFinished {
        unit: Unit<'a>,
        check: usize,
        result: &'e CheckResult,
    },
    /// Every check of a unit has finished: the unit's grade, quality checks scaled.
    ExerciseGraded { graded: &'e Graded<'a> },
    /// Every unit is graded; `interrupted` when Ctrl-C cut the run short, and the checks that
    /// had not finished were reported as `skipped`.
    RunFinished { interrupted: bool },
}

/// Something that follows a run as it happens.
pub(crate) trait Listener {
    /// Called for each event of the run, in order. An error stops the run (it is pygrade's
    /// own failure, such as a report that cannot be written).
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()>;
}
