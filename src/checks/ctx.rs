//! The context a check kind runs in: its job's folder, the learner environment, and the
//! launcher that counts what the check's processes use.
//!
//! A job's folder holds `work/` (the check's working directory: the exercise's trusted files
//! plus only the learner's declared files), `tmp/` (the learner's `TMPDIR` and `HOME`) and the
//! files pygrade itself reads back (tool configuration, specs). A check whose runs must not
//! see each other's leftovers (the output check's cases) gets a fresh folder of the same
//! layout for each run, inside the job's. The environment learner processes get is built
//! here, from an allow-list: nothing of the caller's environment is passed on.
//!
//! A check also sees the other exercises of its submission that the run grades
//! ([`Together`]), for a kind that does the work of several at once.

use std::any::Any;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

use crate::bank::{Check, Exercise, Side};
use crate::contain::{Claim, Finished, Launcher, Limits, Spawn};
use crate::grade::Usage;
use crate::toolchain::Toolchain;

/// The learner's declared files, by name: read once per submission and shared by every job
/// of it, never copied.
pub(crate) type LearnerFiles = Arc<[(String, Vec<u8>)]>;

/// What becomes of an exercise's hidden tests (its `hidden/` folder, which `pygrade init`
/// never hands out) in a run: a learner's own check leaves them out, a grader runs them, and
/// reveals them only when asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Hidden {
    /// Not run: only the visible tests are graded, and share the check's points.
    #[default]
    Skip,
    /// Run with the visible tests and graded with them by weight; reports say only how many
    /// passed.
    Run,
    /// Run, and reported like the visible tests, with their names and messages.
    Reveal,
}

impl Hidden {
    pub(crate) fn runs(self) -> bool {
        self != Hidden::Skip
    }

    pub(crate) fn reveals(self) -> bool {
        self == Hidden::Reveal
    }
}

/// The checks of one submission that a run grades, for a kind that does the work of several
/// at once (mypy type-checks a learner's exercises in one pass), and what such a kind keeps
/// for them while the run lasts. The checks are listed when asked, from the engine's plan of
/// each of the submission's exercises, so that a cohort's run holds no more than its plan.
pub(crate) struct Together<'a> {
    exercises: Vec<&'a dyn Members>,
    kept: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

/// One exercise of a submission as the engine plans it, for a kind that works together.
pub(crate) trait Members: Send + Sync {
    /// Its checks of kinds that work together, those that run.
    fn members(&self) -> Vec<Member<'_>>;
}

/// A check of the submission that the run grades (it is not left out, not refused, and not
/// an untouched starter's), with its exercise and the learner's files for it.
pub(crate) struct Member<'a> {
    pub exercise: &'a Exercise,
    pub check: &'a Check,
    files: Box<dyn Fn() -> Result<LearnerFiles> + Send + Sync + 'a>,
}

impl<'a> Member<'a> {
    pub(crate) fn new(
        exercise: &'a Exercise,
        check: &'a Check,
        files: impl Fn() -> Result<LearnerFiles> + Send + Sync + 'a,
    ) -> Member<'a> {
        Member {
            exercise,
            check,
            files: Box::new(files),
        }
    }

    /// Lays the check's working folder out in `folder` as a job's, and returns it.
    pub(crate) fn lay_out(&self, folder: &Path) -> Result<PathBuf> {
        lay_out(folder, self.exercise, &(self.files)()?)
    }
}

impl<'a> Together<'a> {
    /// The submission whose exercises the engine plans as `exercises`.
    pub(crate) fn new(exercises: Vec<&'a dyn Members>) -> Together<'a> {
        Together {
            exercises,
            kept: Mutex::default(),
        }
    }

    /// The submission's checks of the run that the engine gives a kind that works together.
    pub(crate) fn members(&self) -> Vec<Member<'a>> {
        (self.exercises.iter())
            .flat_map(|exercise| exercise.members())
            .collect()
    }

    /// What the members' checks keep under `key`: the same value for every check that asks,
    /// made by the first.
    pub(crate) fn kept<T: Default + Send + Sync + 'static>(&self, key: &str) -> Arc<T> {
        let mut kept = self.kept.lock().expect("kept");
        let value = kept
            .entry(key.to_string())
            .or_insert_with(|| Arc::new(T::default()));
        value
            .clone()
            .downcast()
            .expect("what is kept under a key is always of one type")
    }
}

/// What a check kind may use while it runs.
pub(crate) struct Ctx<'a> {
    pub toolchain: &'a Toolchain,
    pub launcher: &'a Launcher,
    pub exercise: &'a Exercise,
    /// The check this context runs.
    pub check: &'a Check,
    /// The check's working directory.
    pub work: PathBuf,
    /// pygrade's own files for this job, next to `work/`.
    pub own: PathBuf,
    /// Which of the places of the jobs in flight this one holds (for per-slot caches).
    pub slot: usize,
    /// The limits on each of the check's processes.
    pub limits: Limits,
    /// What the check is worth.
    pub points: f64,
    /// Whether the exercise's hidden tests run.
    pub hidden: Hidden,
    /// The job's place among those running at once, which its processes give back while
    /// they wait (none unless the engine gives one).
    pub claim: Claim,
    /// The checks of the job's submission in this run, for a kind that asks for them
    /// (`Kind::TOGETHER`; none unless the engine gives them).
    pub together: Option<&'a Together<'a>>,
    /// The learner's declared files, for a fresh working folder.
    files: LearnerFiles,
    /// What the check's processes have used so far, shared with its fresh folders.
    usage: Arc<Mutex<Usage>>,
    /// The job's folder, removed when the check is done.
    _folder: tempfile::TempDir,
}

impl<'a> Ctx<'a> {
    /// A fresh job folder for `check` of `exercise`, holding the exercise's trusted files
    /// first and then the learner's declared `files`.
    pub(crate) fn prepare(
        toolchain: &'a Toolchain,
        launcher: &'a Launcher,
        exercise: &'a Exercise,
        check: &'a Check,
        files: LearnerFiles,
        slot: usize,
        hidden: Hidden,
    ) -> Result<Ctx<'a>> {
        let folder = tempfile::Builder::new()
            .prefix(&format!("pygrade-{}-", exercise.slug()))
            .tempdir()
            .context("could not create a scratch folder (is TMPDIR writable?)")?;
        let work = lay_out(folder.path(), exercise, &files)?;
        Ok(Ctx {
            toolchain,
            launcher,
            exercise,
            check,
            work,
            own: folder.path().to_path_buf(),
            slot,
            limits: check.limits(&exercise.manifest.limits),
            points: check.points,
            hidden,
            claim: Claim::default(),
            together: None,
            files,
            usage: Arc::default(),
            _folder: folder,
        })
    }

    /// The same check in a fresh folder of the job's layout, made inside the job's folder and
    /// removed when the returned context is dropped: a new `work/` with the trusted files and
    /// the learner's declared files, as [`Ctx::prepare`] lays them, and a new `tmp/`. A run
    /// there sees nothing an earlier run wrote or deleted, and what it writes counts toward
    /// the disk limit as in the job's own folder; its processes count toward this check's use.
    pub(crate) fn in_fresh_folder(&self) -> Result<Ctx<'a>> {
        let folder = tempfile::Builder::new()
            .prefix("fresh-")
            .tempdir_in(&self.own)
            .with_context(|| format!("could not create a folder in {}", self.own.display()))?;
        let work = lay_out(folder.path(), self.exercise, &self.files)?;
        Ok(Ctx {
            toolchain: self.toolchain,
            launcher: self.launcher,
            exercise: self.exercise,
            check: self.check,
            work,
            own: folder.path().to_path_buf(),
            slot: self.slot,
            limits: self.limits,
            points: self.points,
            hidden: self.hidden,
            claim: self.claim.clone(),
            together: self.together,
            files: self.files.clone(),
            usage: self.usage.clone(),
            _folder: folder,
        })
    }

    /// What the check's processes used, all told.
    pub(crate) fn usage(&self) -> Usage {
        *self.usage.lock().expect("usage")
    }

    /// The environment of every learner process: an allow-list, nothing inherited.
    pub(crate) fn env(&self) -> Vec<(String, OsString)> {
        learner_env(self.toolchain, &self.own.join("tmp"))
    }

    /// Learner-facing text with the scratch folder's path taken out, so paths read as the
    /// learner's own (`word_count.py`, not `/tmp/pygrade-.../work/word_count.py`).
    pub(crate) fn relative(&self, text: &str) -> String {
        text.replace(&format!("{}/", self.work.display()), "")
    }

    /// A folder `name` in the job's own folder holding the exercise's trusted files and its
    /// reference solution, and none of the learner's: for trusted runs, whose results are kept
    /// for every learner. Remove it before learner code runs in the job.
    pub(crate) fn reference_folder(&self, name: &str) -> Result<PathBuf> {
        let root = self.own.join(name);
        for (path, bytes) in self.exercise.trusted_files() {
            write_file(&root.join(path), bytes)?;
        }
        for (name, bytes) in self.exercise.side_files(Side::Reference) {
            write_file(&root.join(name), bytes)?;
        }
        Ok(root)
    }

    /// Runs a process through the launcher, counting what it used toward the check.
    pub(crate) async fn run(&self, spawn: Spawn) -> Result<Finished> {
        let finished = self.launcher.run(spawn).await?;
        let mut usage = self.usage.lock().expect("usage");
        usage.cpu_ms += finished.cpu_ms;
        usage.peak_rss_kib = usage.peak_rss_kib.max(finished.peak_rss_kib);
        usage.peak_memory_kib = usage.peak_memory_kib.max(finished.peak_memory_kib);
        Ok(finished)
    }

    /// Counts what a warm worker used for this check toward it.
    pub(crate) fn count(&self, cpu_ms: u64, peak_rss_kib: u64) {
        let mut usage = self.usage.lock().expect("usage");
        usage.cpu_ms += cpu_ms;
        usage.peak_rss_kib = usage.peak_rss_kib.max(peak_rss_kib);
        usage.peak_memory_kib = usage.peak_memory_kib.max(peak_rss_kib);
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
            warm: false,
            env: self.env(),
            stdin: None,
            limits: self.limits,
            channel: false,
            quiet: None,
            claim: self.claim.clone(),
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

/// Lays a job's layout out in `folder`: `tmp/`, and `work/` holding the exercise's trusted
/// files first and then the learner's declared `files`. Returns the `work/` folder.
fn lay_out(folder: &Path, exercise: &Exercise, files: &[(String, Vec<u8>)]) -> Result<PathBuf> {
    let work = folder.join("work");
    std::fs::create_dir_all(folder.join("tmp"))?;
    for (path, bytes) in exercise.work_files() {
        write_file(&work.join(path), bytes)?;
    }
    for (name, bytes) in files {
        write_file(&work.join(name), bytes)?;
    }
    Ok(work)
}

/// Writes `bytes` to `path`, making its folders.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("could not write {}", path.display()))
}

/// The environment of a learner process of `toolchain` whose `HOME` and `TMPDIR` are `tmp`:
/// an allow-list, nothing inherited.
pub(crate) fn learner_env(toolchain: &Toolchain, tmp: &Path) -> Vec<(String, OsString)> {
    let python_bin = toolchain.python.parent().unwrap_or(Path::new("/usr/bin"));
    let mut path = OsString::from(python_bin);
    path.push(":/usr/local/bin:/usr/bin:/bin");
    let tmp = tmp.to_path_buf();
    [
        ("PATH", path),
        ("HOME", tmp.clone().into()),
        ("TMPDIR", tmp.into()),
        ("LANG", "C.UTF-8".into()),
        ("LC_ALL", "C.UTF-8".into()),
        ("PYTHONPATH", toolchain.graders.clone().into()),
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
