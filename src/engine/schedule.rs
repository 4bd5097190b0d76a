//! Schedule: every planned job, at most `jobs` at a time (not counting those whose processes
//! only wait), each in a job folder of its own, with the checks that must run alone (timing)
//! last and one at a time. Each step of the run is an event for its listeners.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result};
use futures::StreamExt;
use tokio::sync::{Notify, Semaphore, mpsc};

use super::events::{Event, Graded, Listener};
use super::plan::{Job, Plan, Work};
use crate::checks::{Ctx, Hidden, Registry, Together};
use crate::contain::{Claim, Launcher, Sandbox, Warm};
use crate::grade::{self, CheckResult, Status};
use crate::toolchain::Toolchain;

/// The most jobs in flight beyond the `jobs` that hold a claim: those whose processes gave
/// their claims back while waiting (and may compute again before they end).
const MORE_WHILE_WAITING: usize = 4;

/// What grading needs, resolved once for a run.
pub(crate) struct Engine<'a> {
    pub registry: &'a Registry,
    pub toolchain: &'a Toolchain,
    pub sandbox: &'a Sandbox,
    /// Checks run at once.
    pub jobs: usize,
    /// Whether the exercises' hidden tests run, and whether the results show them.
    pub hidden: Hidden,
    /// Whether warm workers serve the checks that can use them.
    pub warm: bool,
    /// The warm workers, and the runtime they live on, which outlive a run.
    pub workers: &'a Workers,
}

/// The async runtime a command's runs share, and the warm workers that live on it from one
/// run to the next. Dropped, it stops the workers and leaves the runtime without waiting for
/// supervisors still cleaning up (they finish on their own).
pub(crate) struct Workers {
    pub warm: Warm,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Workers {
    /// `secrets`: what the warm Python workers' program must not hold (the bundled bank).
    pub(crate) fn new(secrets: Vec<&'static [u8]>) -> Result<Workers> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        Ok(Workers {
            warm: Warm::new(secrets),
            runtime: Some(runtime),
        })
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.block_on(self.warm.shut_down());
            runtime.shutdown_background();
        }
    }
}

impl Engine<'_> {
    /// Grades `work`, telling every listener of each step as it happens, and returns whether
    /// Ctrl-C cut the run short (the checks that had not finished are then `skipped`, and
    /// every result so far is kept).
    pub(crate) fn grade(
        &self,
        work: Vec<Work<'_>>,
        listeners: &mut [&mut dyn Listener],
    ) -> Result<bool> {
        self.grade_until(work, listeners, &Notify::new())
    }

    /// [`Engine::grade`], also cut short when `stop` is notified (from any thread; a
    /// notification given before the run began stops it at once): `pygrade watch` grades
    /// again when a file changes during a run.
    pub(crate) fn grade_until(
        &self,
        work: Vec<Work<'_>>,
        listeners: &mut [&mut dyn Listener],
        stop: &Notify,
    ) -> Result<bool> {
        let runtime = self
            .workers
            .runtime
            .as_ref()
            .expect("a runtime until dropped");
        runtime.block_on(self.run(work, listeners, stop))
    }

    async fn run(
        &self,
        work: Vec<Work<'_>>,
        listeners: &mut [&mut dyn Listener],
        stop: &Notify,
    ) -> Result<bool> {
        let plan = Plan::new(work);
        let together = plan.together();
        let mut run = Progress::new(&plan, listeners);
        run.emit(Event::RunStarted {
            units: plan.units.len(),
            checks: plan.checks(),
        })?;
        let mut launcher = Launcher::new(self.sandbox.clone(), self.toolchain.readable())?;
        if self.warm {
            launcher = launcher.with_warm_workers(&self.workers.warm);
        }
        let parallel = self.jobs.max(1);
        // A job starts once it holds one of `parallel` claims. One whose processes wait
        // rather than compute gives its claim back (see `Claim`), so that another can start:
        // up to `MORE_WHILE_WAITING` jobs run so beyond those holding a claim.
        let claims = Arc::new(Semaphore::new(parallel));
        let in_flight = parallel + MORE_WHILE_WAITING;
        // The lowest free slot first: a slot names the per-slot caches a job uses (mypy's),
        // and those of the first `parallel` slots are the warm ones.
        let slots = Mutex::new((0..in_flight).map(Reverse).collect::<BinaryHeap<_>>());
        // Jobs say when they start on this channel; the loop below tells the listeners.
        let (started, mut starts) = mpsc::unbounded_channel::<Job<'_, '_>>();
        let start = |job, alone: bool| {
            // (Typed here, not in the closure's head, so that its lifetimes are the plan's.)
            let job: Job<'_, '_> = job;
            let (launcher, slots, started) = (&launcher, &slots, started.clone());
            let together = together.get(job.unit().submission);
            let claims = claims.clone();
            async move {
                // A check that runs alone keeps the machine to itself until it ends.
                let claim = if alone {
                    Claim::default()
                } else {
                    let claim = claims
                        .acquire_owned()
                        .await
                        .expect("claims are never closed");
                    Claim::new(move || drop(claim))
                };
                let slot = slots.lock().expect("slot pool").pop().map_or(0, |s| s.0);
                let _ = started.send(job);
                let result = self
                    .run_one(job, launcher, slot, claim.clone(), together)
                    .await;
                claim.give_back();
                slots.lock().expect("slot pool").push(Reverse(slot));
                result.map(|result| (job, result))
            }
        };
        let mut stream = futures::stream::iter(plan.jobs_alone(false))
            .map(|job| start(job, false))
            .buffer_unordered(in_flight)
            .chain(
                futures::stream::iter(plan.jobs_alone(true))
                    .map(|job| start(job, true))
                    .buffer_unordered(1),
            );
        let interrupt = tokio::signal::ctrl_c();
        tokio::pin!(interrupt);
        let mut interrupted = false;
        loop {
            tokio::select! {
                biased;
                _ = &mut interrupt => {
                    interrupted = true;
                    break;
                }
                _ = stop.notified() => {
                    interrupted = true;
                    break;
                }
                Some(job) = starts.recv() => run.started(job)?,
                next = stream.next() => match next {
                    Some(done) => {
                        let (job, result) = done?;
                        // A job that finished has said that it started: tell that first.
                        while let Ok(job) = starts.try_recv() {
                            run.started(job)?;
                        }
                        run.finished(job, result)?;
                    }
                    None => break,
                },
            }
        }
        // Dropping the unfinished runs asks their supervisors to stop.
        drop(stream);
        for job in plan.jobs() {
            if !run.has_result(job) {
                let check = job.check();
                let skipped = CheckResult::whole(check.kind(), Status::Skipped, check.points)
                    .with_message("not run: grading was interrupted");
                run.finished(job, skipped)?;
            }
        }
        run.emit(Event::RunFinished { interrupted })?;
        Ok(interrupted)
    }

    async fn run_one(
        &self,
        job: Job<'_, '_>,
        launcher: &Launcher,
        slot: usize,
        claim: Claim,
        together: Option<&Together<'_>>,
    ) -> Result<CheckResult> {
        let started = Instant::now();
        let (exercise, check, files) = (job.unit().exercise, job.check(), &job.planned.files);
        if job.left_out() {
            return Ok(
                CheckResult::whole(check.kind(), Status::Skipped, check.points)
                    .with_message("not run: only the checks of what the code does run here"),
            );
        }
        if job.not_started() {
            return Ok(
                CheckResult::whole(check.kind(), Status::NotStarted, check.points)
                    .with_message("not started: the files are still the starter's"),
            );
        }
        if let Some((status, why)) = files.refusal() {
            return Ok(CheckResult::whole(check.kind(), status, check.points).with_message(why));
        }
        let mut ctx = Ctx::prepare(
            self.toolchain,
            launcher,
            exercise,
            check,
            files.files(exercise)?,
            slot,
            self.hidden,
        )?;
        ctx.claim = claim;
        ctx.together = together;
        let mut result = self.registry.run(check, &ctx).await.with_context(|| {
            format!("{}: the {} check could not run", exercise.id, check.kind())
        })?;
        // Here, before any listener sees the result: unless revealed, no report can show
        // what a hidden test is called or what it said.
        result.settle_hidden(self.hidden.reveals());
        result.duration_ms = started.elapsed().as_millis() as u64;
        result.usage = Some(ctx.usage());
        Ok(result)
    }
}

/// Where each unit of a run stands, and the listeners to tell.
struct Progress<'p, 'a, 'r, 'l> {
    plan: &'p Plan<'a>,
    units: Vec<UnitState>,
    listeners: &'r mut [&'l mut dyn Listener],
}

#[derive(Default)]
struct UnitState {
    begun: bool,
    /// Each check's result, from the first to come until the unit is graded: then the
    /// listeners have them. A cohort's run so holds results only for the units in flight.
    results: Vec<Option<CheckResult>>,
    graded: bool,
}

impl<'p, 'a, 'r, 'l> Progress<'p, 'a, 'r, 'l> {
    fn new(plan: &'p Plan<'a>, listeners: &'r mut [&'l mut dyn Listener]) -> Self {
        let mut units = Vec::new();
        units.resize_with(plan.units.len(), UnitState::default);
        Progress {
            plan,
            units,
            listeners,
        }
    }

    fn emit(&mut self, event: Event<'_, '_>) -> Result<()> {
        for listener in self.listeners.iter_mut() {
            listener.on(&event)?;
        }
        Ok(())
    }

    fn started(&mut self, job: Job<'_, '_>) -> Result<()> {
        let unit = job.unit();
        if !std::mem::replace(&mut self.units[unit.seq].begun, true) {
            self.emit(Event::ExerciseStarted { unit })?;
        }
        self.emit(Event::CheckStarted {
            unit,
            check: job.check,
        })
    }

    fn has_result(&self, job: Job<'_, '_>) -> bool {
        let state = &self.units[job.unit().seq];
        state.graded || state.results.get(job.check).is_some_and(Option::is_some)
    }

    fn finished(&mut self, job: Job<'_, '_>, result: CheckResult) -> Result<()> {
        let unit = job.unit();
        self.emit(Event::CheckFinished {
            unit,
            check: job.check,
            result: &result,
        })?;
        let state = &mut self.units[unit.seq];
        if state.results.is_empty() {
            let checks = unit.exercise.manifest.checks.len();
            state.results.resize_with(checks, || None);
        }
        state.results[job.check] = Some(result);
        if state.results.iter().all(Option::is_some) {
            state.graded = true;
            let mut checks: Vec<CheckResult> = std::mem::take(&mut state.results)
                .into_iter()
                .flatten()
                .collect();
            let quality: Vec<bool> = (unit.exercise.manifest.checks.iter())
                .map(|check| check.section.quality())
                .collect();
            grade::scale_quality(&mut checks, &quality);
            let planned = &self.plan.units[unit.seq];
            let graded = Graded {
                unit,
                started: planned.started,
                not_graded: planned.files.not_graded.clone(),
                checks,
            };
            self.emit(Event::ExerciseGraded { graded: &graded })?;
        }
        Ok(())
    }
}
