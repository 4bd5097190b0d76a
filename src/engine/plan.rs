//! Locate submissions and plan jobs.
//!
//! A submission is the learner's declared files for one exercise, read into memory: from a
//! workspace folder, or (for `pygrade verify`) from the bank's `starter/` or `reference/`.
//! Only the files the manifest names are ever read; nothing else in the learner's folder
//! (their own conftest.py, edited tests, caches) can reach a check. A plan is one job per
//! check of each unit of work (one exercise of one submission).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use super::events::Unit;
use crate::bank::{Check, Exercise, Side};
use crate::checks::LearnerFiles;
use crate::grade::{NotGraded, Status};

#[derive(Debug, Default)]
pub(crate) struct Submission {
    /// Declared file name and contents.
    pub files: LearnerFiles,
    /// Declared files that are not there, with why.
    pub missing: Vec<String>,
    /// Declared files refused before anything runs (a link, an oversize file), with why.
    pub rejected: Vec<String>,
    /// Other files in the learner's folder, which no check sees.
    pub not_graded: Vec<NotGraded>,
}

/// The most undeclared files a report lists for one exercise.
const MOST_NOT_GRADED: usize = 20;

/// A learner file larger than this is refused: source code is far smaller, and a check's
/// scratch folder is no place for a disk filler.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

impl Submission {
    pub(crate) fn from_side(exercise: &Exercise, side: Side) -> Submission {
        let mut submission = Submission::default();
        let mut files = Vec::new();
        for name in &exercise.manifest.files {
            match exercise.side_file(side, name) {
                Some(bytes) => files.push((name.clone(), bytes.to_vec())),
                None => submission
                    .missing
                    .push(format!("{}/{name} is missing", side.dir())),
            }
        }
        submission.files = files.into();
        submission
    }

    /// The declared files of `exercise` inside its workspace `folder`. An exercise whose
    /// folder is not in the workspace at all (the bank gained it after `pygrade init`) has not
    /// been started: it is graded as its starter, and reported as not started.
    pub(crate) fn from_workspace(exercise: &Exercise, folder: &Path) -> Result<Submission> {
        if folder.exists() {
            Submission::from_folder(exercise, folder)
        } else {
            Ok(Submission::from_side(exercise, Side::Starter))
        }
    }

    /// The declared files of `exercise` inside `folder`. A link is not followed: a submission
    /// is data, and a link could point anywhere on the grading machine.
    fn from_folder(exercise: &Exercise, folder: &Path) -> Result<Submission> {
        let mut submission = Submission::default();
        let mut files = Vec::new();
        for name in &exercise.manifest.files {
            let path = folder.join(name);
            match std::fs::symlink_metadata(&path) {
                Err(_) => submission
                    .missing
                    .push(format!("{} is missing", path.display())),
                Ok(meta) if meta.file_type().is_symlink() => submission.rejected.push(format!(
                    "{} is a symbolic link; pygrade grades only regular files",
                    path.display()
                )),
                Ok(meta) if meta.len() > MAX_FILE_BYTES => submission.rejected.push(format!(
                    "{} is {} bytes, over the {} bytes a learner file may have",
                    path.display(),
                    meta.len(),
                    MAX_FILE_BYTES
                )),
                Ok(meta) if !meta.is_file() => submission
                    .missing
                    .push(format!("{} is not a file", path.display())),
                Ok(_) => {
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("could not read {}", path.display()))?;
                    files.push((name.clone(), bytes));
                }
            }
        }
        submission.files = files.into();
        submission.not_graded = not_graded(exercise, folder);
        Ok(submission)
    }

    /// Whether this is the starter as handed out: nothing to grade yet, as far as the learner
    /// is concerned.
    pub(crate) fn is_starter(&self, exercise: &Exercise) -> bool {
        self.missing.is_empty()
            && self.rejected.is_empty()
            && self.files.iter().all(|(name, bytes)| {
                exercise.side_file(Side::Starter, name) == Some(bytes.as_slice())
            })
    }

    /// Why none of the checks can run on this submission, when that is so.
    pub(crate) fn refusal(&self) -> Option<(Status, String)> {
        if !self.rejected.is_empty() {
            return Some((
                Status::Rejected,
                format!("submission refused: {}", self.rejected.join("; ")),
            ));
        }
        (!self.missing.is_empty()).then(|| {
            let message = format!(
                "{}: restore the file (`pygrade init` puts back missing starter files without touching others)",
                self.missing.join("; ")
            );
            (Status::Error, message)
        })
    }
}

/// The files of the learner's `folder` that no check sees: all but the declared files, the
/// handout (statement and visible tests, which pygrade replaces with the bank's own) and
/// caches. At most [`MOST_NOT_GRADED`], then one line for the rest.
fn not_graded(exercise: &Exercise, folder: &Path) -> Vec<NotGraded> {
    let declared = &exercise.manifest.files;
    let handout: Vec<PathBuf> = exercise.handout().map(|(path, _)| path).collect();
    let reason = format!(
        "not one of the files this exercise grades ({}): no check sees it",
        declared.join(", ")
    );
    let mut found: Vec<String> = walkdir::WalkDir::new(folder)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            !name.starts_with('.') && !matches!(name.as_ref(), "__pycache__" | "tests")
        })
        .flatten()
        .filter(|entry| !entry.file_type().is_dir())
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(folder).ok()?.to_path_buf();
            let name = relative.to_string_lossy().into_owned();
            let ours = declared.contains(&name) || handout.contains(&relative);
            (!ours && !name.ends_with(".pyc")).then_some(name)
        })
        .collect();
    let more = found.len().saturating_sub(MOST_NOT_GRADED);
    found.truncate(MOST_NOT_GRADED);
    let mut listed: Vec<NotGraded> = found
        .into_iter()
        .map(|file| NotGraded {
            file,
            reason: reason.clone(),
        })
        .collect();
    if more > 0 {
        listed.push(NotGraded {
            file: format!("... and {more} more"),
            reason: reason.clone(),
        });
    }
    listed
}

/// One exercise of one submission, to be graded.
#[derive(Debug)]
pub(crate) struct Work<'a> {
    /// Whose work it is (see [`Unit::submission`]).
    pub submission: &'a str,
    pub exercise: &'a Exercise,
    pub files: Submission,
    /// Whether to run the checks on files that are still the starter's: `verify` does, to
    /// prove that a starter fails; for a learner they are `not-started`, and nothing runs.
    pub grade_untouched: bool,
}

/// One check of one unit of work.
#[derive(Debug, Clone)]
pub(crate) struct Job<'a> {
    pub unit: Unit<'a>,
    /// Index into the manifest's checks.
    pub check: usize,
    pub files: Arc<Submission>,
    /// The learner has not started the exercise, and the check does not run.
    pub not_started: bool,
}

impl<'a> Job<'a> {
    pub(crate) fn check(&self) -> &'a Check {
        &self.unit.exercise.manifest.checks[self.check]
    }
}

/// What the plan knows of a unit before any check runs.
pub(crate) struct Planned {
    /// Whether its learner has started it.
    pub started: bool,
    /// The files of the learner's folder that no check sees.
    pub not_graded: Vec<NotGraded>,
}

/// Every check of every unit, in the order given then manifest order; and what is known of
/// each unit, in the same order.
pub(crate) fn jobs<'a>(work: Vec<Work<'a>>) -> (Vec<Job<'a>>, Vec<Planned>) {
    let mut jobs = Vec::new();
    let mut units = Vec::new();
    for (seq, work) in work.into_iter().enumerate() {
        let unit = Unit {
            submission: work.submission,
            exercise: work.exercise,
            seq,
        };
        let started = !work.files.is_starter(work.exercise);
        units.push(Planned {
            started,
            not_graded: work.files.not_graded.clone(),
        });
        let not_started = !started && !work.grade_untouched;
        let files = Arc::new(work.files);
        jobs.extend((0..work.exercise.manifest.checks.len()).map(|check| Job {
            unit,
            check,
            files: files.clone(),
            not_started,
        }));
    }
    (jobs, units)
}
