//! Run: every planned job, at most `--jobs` at a time, each in a scratch folder of its own.
//!
//! A job's folder holds `work/` (the check's working directory: the exercise's trusted files
//! plus only the learner's declared files), `tmp/` (the learner's `TMPDIR` and `HOME`) and the
//! files pygrade itself reads back (results channel, tool configuration). Processes start
//! through the [`process::Launcher`]; the environment they get is built here, from an
//! allow-list, and nothing of the caller's environment is passed on.

pub(crate) mod limits;
pub(crate) mod process;
pub(crate) mod sandbox;
pub(crate) mod supervise;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result};
use futures::StreamExt;

use crate::bank::Exercise;
use crate::checks;
use crate::grade::{CheckResult, Usage};
use crate::plan::Job;
use crate::toolchain::Toolchain;

pub(crate) use limits::{Clock, Limits};
pub(crate) use process::{Exit, Launcher, Spawn};

/// What a check kind may use while it runs.
pub(crate) struct Ctx<'a> {
    pub toolchain: &'a Toolchain,
    pub launcher: &'a Launcher,
    pub exercise: &'a Exercise,
    /// The check's working directory.
    pub work: PathBuf,
    /// pygrade's own files for this job, next to `work/`.
    pub own: PathBuf,
    /// Which of the `--jobs` concurrent places this job holds (for per-slot caches).
    pub slot: usize,
    /// The limits on each of the check's processes.
    pub limits: Limits,
    /// What the check's processes have used so far.
    usage: std::sync::Mutex<Usage>,
}

impl Ctx<'_> {
    /// The environment of every learner process: an allow-list, nothing inherited.
    pub(crate) fn env(&self) -> Vec<(String, OsString)> {
        let python_bin = self
            .toolchain
            .python
            .parent()
            .unwrap_or(Path::new("/usr/bin"));
        let mut path = OsString::from(python_bin);
        path.push(":/usr/local/bin:/usr/bin:/bin");
        let tmp = self.own.join("tmp");
        [
            ("PATH", path),
            ("HOME", tmp.clone().into()),
            ("TMPDIR", tmp.into()),
            ("LANG", "C.UTF-8".into()),
            ("LC_ALL", "C.UTF-8".into()),
            ("PYTHONPATH", self.toolchain.graders.clone().into()),
            ("PYTHONDONTWRITEBYTECODE", "1".into()),
            ("PYTHONNOUSERSITE", "1".into()),
            ("PYTHONHASHSEED", "0".into()),
            ("PYTHONIOENCODING", "utf-8".into()),
            ("PYTHONUTF8", "1".into()),
            ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1".into()),
            ("NO_COLOR", "1".into()),
            // glibc reserves 64 MiB of address space per malloc arena, up to eight per core;
            // under an address-space limit that, not memory, would stop threads starting.
            ("MALLOC_ARENA_MAX", "2".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Learner-facing text with the scratch folder's path taken out, so paths read as the
    /// learner's own (`word_count.py`, not `/tmp/pygrade-.../work/word_count.py`).
    pub(crate) fn relative(&self, text: &str) -> String {
        text.replace(&format!("{}/", self.work.display()), "")
    }

    /// Runs a process through the launcher, counting what it used toward the check.
    pub(crate) async fn run(&self, spawn: Spawn) -> Result<process::Finished> {
        let finished = self.launcher.run(spawn).await?;
        let mut usage = self.usage.lock().expect("usage");
        usage.cpu_ms += finished.cpu_ms;
        usage.peak_rss_kib = usage.peak_rss_kib.max(finished.peak_rss_kib);
        Ok(finished)
    }

    /// A process in the check's working directory with the learner environment; of the
    /// files outside the system's and Python's, it may write only the job's own folder.
    pub(crate) fn spawn(&self, program: impl Into<PathBuf>, args: Vec<OsString>) -> Spawn {
        Spawn {
            program: program.into(),
            args,
            cwd: self.work.clone(),
            writable: vec![self.own.clone()],
            protected: self.protected(),
            scratch: Some(self.own.join("tmp")),
            sandboxed: true,
            env: self.env(),
            stdin: None,
            limits: self.limits,
            channel: false,
        }
    }

    /// The exercise's trusted files in the working folder (its tests, data and cases): in a
    /// sandbox, learner code cannot change them while a check runs.
    fn protected(&self) -> Vec<PathBuf> {
        let mut tops: Vec<PathBuf> = self
            .exercise
            .work_files()
            .filter_map(|(path, _)| path.components().next())
            .map(|top| self.work.join(top))
            .collect();
        tops.sort();
        tops.dedup();
        tops
    }
}

/// Writes the job's folder: trusted exercise files first, then the learner's declared files.
fn prepare(job: &Job<'_>) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix(&format!("pygrade-{}-", job.exercise.slug()))
        .tempdir()
        .context("could not create a scratch folder (is TMPDIR writable?)")?;
    let work = dir.path().join("work");
    std::fs::create_dir_all(dir.path().join("tmp"))?;
    for (path, bytes) in job.exercise.work_files() {
        write_file(&work.join(path), bytes)?;
    }
    for (name, bytes) in &job.submission.files {
        write_file(&work.join(name), bytes)?;
    }
    Ok(dir)
}

pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("could not write {}", path.display()))
}

/// One finished job, as the progress display and the report see it.
pub(crate) struct Done {
    pub job: usize,
    pub result: CheckResult,
}

/// What a run produced: a result per job, in job order, and whether it was cut short.
pub(crate) struct Ran {
    pub results: Vec<CheckResult>,
    /// Ctrl-C arrived: the checks that had not finished are `skipped`.
    pub interrupted: bool,
}

/// Runs `jobs` with at most `parallel` at once and calls `on_done` as each finishes (in the
/// order they finish). On Ctrl-C the running checks are stopped (their supervisors clean up
/// their process trees) and every result so far is kept.
pub(crate) async fn run_all<'j, 'e>(
    jobs: &'j [Job<'e>],
    toolchain: &Toolchain,
    sandbox: &sandbox::Sandbox,
    parallel: usize,
    mut on_done: impl FnMut(&Done),
) -> Result<Ran> {
    let launcher = Launcher::new(sandbox.clone(), toolchain.readable())?;
    let parallel = parallel.max(1);
    let slots = Mutex::new((0..parallel).rev().collect::<Vec<_>>());
    let mut results: Vec<Option<CheckResult>> = vec![None; jobs.len()];
    let start = |(index, job): (usize, &'j Job<'e>)| {
        let (launcher, slots) = (&launcher, &slots);
        async move {
            let slot = slots.lock().expect("slot pool").pop().unwrap_or(0);
            let result = run_one(job, toolchain, launcher, slot).await;
            slots.lock().expect("slot pool").push(slot);
            result.map(|result| Done { job: index, result })
        }
    };
    // Timing checks wait until every other check is done and then run one at a time: no
    // other check may compete with them for the machine.
    let (timed, others): (Vec<_>, Vec<_>) = jobs
        .iter()
        .enumerate()
        .partition(|(_, job)| job.exercise.manifest.checks[job.check].is_timing());
    let mut stream = futures::stream::iter(others)
        .map(start)
        .buffer_unordered(parallel)
        .chain(futures::stream::iter(timed).map(start).buffer_unordered(1));
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
            next = stream.next() => match next {
                Some(done) => {
                    let done = done?;
                    on_done(&done);
                    results[done.job] = Some(done.result);
                }
                None => break,
            },
        }
    }
    // Dropping the unfinished runs asks their supervisors to stop.
    drop(stream);
    let results = results
        .into_iter()
        .zip(jobs)
        .map(|(result, job)| {
            result.unwrap_or_else(|| {
                let check = &job.exercise.manifest.checks[job.check];
                CheckResult::whole(check.kind(), crate::grade::Status::Skipped, check.points())
                    .with_message("not run: grading was interrupted")
            })
        })
        .collect();
    Ok(Ran {
        results,
        interrupted,
    })
}

async fn run_one(
    job: &Job<'_>,
    toolchain: &Toolchain,
    launcher: &Launcher,
    slot: usize,
) -> Result<CheckResult> {
    let started = Instant::now();
    let check = &job.exercise.manifest.checks[job.check];
    if let Some((status, why)) = job.submission.refusal() {
        return Ok(CheckResult::whole(check.kind(), status, check.points()).with_message(why));
    }
    let dir = prepare(job)?;
    let ctx = Ctx {
        toolchain,
        launcher,
        exercise: job.exercise,
        work: dir.path().join("work"),
        own: dir.path().to_path_buf(),
        slot,
        limits: check.limits(&job.exercise.manifest.limits),
        usage: Default::default(),
    };
    let mut result = checks::run(check, &ctx).await.with_context(|| {
        format!(
            "{}: the {} check could not run",
            job.exercise.id,
            check.kind()
        )
    })?;
    result.duration_ms = started.elapsed().as_millis() as u64;
    result.usage = Some(ctx.usage.into_inner().expect("usage"));
    Ok(result)
}
