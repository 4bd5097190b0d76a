//! Locate submissions and plan jobs.
//!
//! A submission is the learner's declared files for one exercise, read into memory: from a
//! workspace folder, or (for `pygrade verify`) from the bank's `starter/` or `reference/`.
//! Only the files the manifest's `files` take are ever read (its plain paths, and what its
//! globs match, within their caps); nothing else in the learner's folder (their own
//! conftest.py, edited tests, caches) can reach a check. A plan holds each unit of work (one
//! exercise of one submission); its jobs are one per check of each unit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use super::events::Unit;
use crate::bank::{Check, Exercise, Side, Taken, slashed};
use crate::checks::{LearnerFiles, Member, Members, Together};
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
    /// Set once the files' bytes were let go, to be read again when a check needs them
    /// ([`Submission::park`]).
    pub parked: Option<Parked>,
}

/// Where a parked submission's files are, and what they were.
#[derive(Debug)]
pub(crate) struct Parked {
    /// The workspace, shared by its exercises: the files are in its folder of the exercise.
    workspace: Arc<Path>,
    digest: [u8; 32],
    starter: bool,
}

/// The most undeclared files a report lists for one exercise.
const MOST_NOT_GRADED: usize = 20;

/// A learner file larger than this is refused: source code is far smaller, and a check's
/// scratch folder is no place for a disk filler.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

impl Submission {
    pub(crate) fn from_side(exercise: &Exercise, side: Side) -> Submission {
        let mut submission = Submission::default();
        let files = exercise.side_files(side);
        for name in &exercise.manifest.files {
            if !files.contains_key(name) {
                submission
                    .missing
                    .push(format!("{}/{name} is missing", side.dir()));
            }
        }
        submission.files = files
            .into_iter()
            .map(|(name, bytes)| (name, bytes.to_vec()))
            .collect();
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

    /// The declared files of `exercise` inside `folder`: its plain files, then what its globs
    /// take. A link is not followed: a submission is data, and a link could point anywhere on
    /// the grading machine.
    fn from_folder(exercise: &Exercise, folder: &Path) -> Result<Submission> {
        let mut submission = Submission::default();
        let mut files = Vec::new();
        for name in &exercise.manifest.files {
            let path = folder.join(name);
            match std::fs::symlink_metadata(&path) {
                Err(_) => submission
                    .missing
                    .push(format!("{} is missing", path.display())),
                Ok(meta) if !meta.is_file() && !meta.file_type().is_symlink() => submission
                    .missing
                    .push(format!("{} is not a file", path.display())),
                Ok(meta) => {
                    if let Some(why) = refused(&path, &meta) {
                        submission.rejected.push(why);
                    } else {
                        files.push((name.clone(), read(&path)?));
                    }
                }
            }
        }
        let survey = survey(exercise, folder)?;
        submission.rejected.extend(survey.rejected);
        if submission.rejected.is_empty() {
            for (name, path) in survey.globbed {
                files.push((name, read(&path)?));
            }
        }
        submission.files = files.into();
        submission.not_graded = survey.not_graded;
        Ok(submission)
    }

    /// Lets go of the files' bytes, which were read from the exercise's folder in `workspace`:
    /// a check reads them again ([`Submission::files`]), so that a cohort's run holds only the
    /// files of the checks in flight. The bytes read again must be the same.
    pub(crate) fn park(&mut self, exercise: &Exercise, workspace: &Arc<Path>) {
        if self.parked.is_some() || !workspace.join(&exercise.id).exists() {
            return; // (a folder not in the workspace is the bank's starter: nothing to read)
        }
        self.parked = Some(Parked {
            workspace: workspace.clone(),
            digest: digest(&self.files),
            starter: self.is_starter(exercise),
        });
        self.files = Arc::from([]);
    }

    /// The declared files, read again from the learner's folder if they were parked.
    pub(crate) fn files(&self, exercise: &Exercise) -> Result<LearnerFiles> {
        let Some(parked) = &self.parked else {
            return Ok(self.files.clone());
        };
        let folder = parked.workspace.join(&exercise.id);
        let again = Submission::from_folder(exercise, &folder)?;
        anyhow::ensure!(
            digest(&again.files) == parked.digest,
            "the learner's files in {} changed while they were being graded: grade them again once they stay put",
            folder.display()
        );
        Ok(again.files)
    }

    /// Whether this is the starter as handed out: nothing to grade yet, as far as the learner
    /// is concerned. A file a glob takes that the starter does not have, or one of the
    /// starter's that is gone, is a change.
    pub(crate) fn is_starter(&self, exercise: &Exercise) -> bool {
        if let Some(parked) = &self.parked {
            return parked.starter;
        }
        let starter = exercise.side_files(Side::Starter);
        self.missing.is_empty()
            && self.rejected.is_empty()
            && self.files.len() == starter.len()
            && (self.files.iter()).all(|(name, bytes)| starter.get(name) == Some(&bytes.as_slice()))
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

/// A hash of `files`, names and bytes, each field after its length.
fn digest(files: &LearnerFiles) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (name, bytes) in files.iter() {
        for field in [name.as_bytes(), bytes] {
            hasher.update((field.len() as u64).to_le_bytes());
            hasher.update(field);
        }
    }
    hasher.finalize().into()
}

/// Why a learner file is refused before anything runs, when it is: a link, or too large.
fn refused(path: &Path, meta: &std::fs::Metadata) -> Option<String> {
    if meta.file_type().is_symlink() {
        Some(format!(
            "{} is a symbolic link; pygrade grades only regular files",
            path.display()
        ))
    } else if !meta.is_file() {
        Some(format!(
            "{} is not a regular file; pygrade grades only regular files",
            path.display()
        ))
    } else if meta.len() > MAX_FILE_BYTES {
        Some(format!(
            "{} is {} bytes, over the {MAX_FILE_BYTES} bytes a learner file may have",
            path.display(),
            meta.len(),
        ))
    } else {
        None
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("could not read {}", path.display()))
}

/// What one walk of a learner's folder finds beside its plain files.
#[derive(Default)]
struct Survey {
    /// The files the globs take, by name, and where they are: not read yet.
    globbed: Vec<(String, PathBuf)>,
    /// Why the globbed files are refused (a link, an oversize file, a cap exceeded).
    rejected: Vec<String>,
    /// The files no check sees, and why: at most [`MOST_NOT_GRADED`], then one line for the
    /// rest.
    not_graded: Vec<NotGraded>,
}

/// Walks the learner's `folder` once: the files the globs take (within their caps), and the
/// files no check sees, which are all but those, the plain files, the handout (statement and
/// visible tests, which pygrade replaces with the bank's own) and caches.
fn survey(exercise: &Exercise, folder: &Path) -> Result<Survey> {
    let handout: Vec<PathBuf> = exercise.handout().map(|(path, _)| path).collect();
    let globs = &exercise.manifest.globs;
    let mut survey = Survey::default();
    let mut unseen: Vec<NotGraded> = Vec::new();
    let mut bytes: u64 = 0;
    let walk = walkdir::WalkDir::new(folder)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            let tests = entry.depth() == 1 && name == "tests";
            !name.starts_with('.') && name != "__pycache__" && !tests
        });
    for entry in walk.flatten() {
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(folder) else {
            continue;
        };
        let name = slashed(relative);
        match exercise.take(&name) {
            Taken::Plain => {}
            Taken::Globbed => {
                let meta = std::fs::symlink_metadata(entry.path())
                    .with_context(|| format!("could not read {}", entry.path().display()))?;
                match refused(entry.path(), &meta) {
                    Some(why) => survey.rejected.push(why),
                    None => {
                        bytes += meta.len();
                        survey.globbed.push((name, entry.path().to_path_buf()));
                    }
                }
            }
            Taken::Refused(reason) => unseen.push(NotGraded { file: name, reason }),
            Taken::No if handout.iter().any(|path| path == relative) => {}
            Taken::No if name.ends_with(".pyc") => {}
            Taken::No => unseen.push(NotGraded {
                file: name,
                reason: format!(
                    "not one of the files this exercise grades ({}): no check sees it",
                    exercise.declared()
                ),
            }),
        }
    }
    let taken = survey.globbed.len();
    if taken > globs.max_files {
        survey.rejected.push(format!(
            "{} holds {taken} files that `files` takes by glob ({}), over the exercise's `max-files` of {}: keep only the files your code needs",
            folder.display(),
            globs.listed(),
            globs.max_files
        ));
    }
    if bytes > globs.max_bytes {
        survey.rejected.push(format!(
            "the files that `files` takes by glob ({}) in {} are {} together, over the exercise's `max-files-size` of {}: keep only the files your code needs",
            globs.listed(),
            folder.display(),
            bytesize::ByteSize(bytes).display().iec(),
            bytesize::ByteSize(globs.max_bytes).display().iec(),
        ));
    }
    let more = unseen.len().saturating_sub(MOST_NOT_GRADED);
    unseen.truncate(MOST_NOT_GRADED);
    if more > 0 {
        unseen.push(NotGraded {
            file: format!("... and {more} more"),
            reason: format!(
                "not one of the files this exercise grades ({}): no check sees it",
                exercise.declared()
            ),
        });
    }
    survey.not_graded = unseen;
    Ok(survey)
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
    /// Whether to run only the checks of what the code does: not the quality checks (typing)
    /// and not those that run alone (timing). `verify --mutants` grades a mutant so; the
    /// other checks are then `skipped`.
    pub behaviour_only: bool,
}

/// One unit of work, planned: whose and which exercise it is, and what is known of it before
/// any check runs.
#[derive(Debug)]
pub(crate) struct Planned<'a> {
    pub unit: Unit<'a>,
    pub files: Submission,
    /// Whether its learner has started it.
    pub started: bool,
    grade_untouched: bool,
    behaviour_only: bool,
}

/// Every unit of a run, in the order given. Its jobs, one per check of each unit, are made as
/// the run takes them: a cohort's plan holds a few words per unit, not one job per check.
pub(crate) struct Plan<'a> {
    pub units: Vec<Planned<'a>>,
}

impl<'a> Plan<'a> {
    pub(crate) fn new(work: Vec<Work<'a>>) -> Plan<'a> {
        let units = (work.into_iter().enumerate())
            .map(|(seq, work)| Planned {
                unit: Unit {
                    submission: work.submission,
                    exercise: work.exercise,
                    seq,
                },
                started: !work.files.is_starter(work.exercise),
                files: work.files,
                grade_untouched: work.grade_untouched,
                behaviour_only: work.behaviour_only,
            })
            .collect();
        Plan { units }
    }

    /// How many checks the run holds.
    pub(crate) fn checks(&self) -> usize {
        (self.units.iter())
            .map(|planned| planned.unit.exercise.manifest.checks.len())
            .sum()
    }

    /// Every check of every unit, in plan order then manifest order.
    pub(crate) fn jobs(&self) -> impl Iterator<Item = Job<'_, 'a>> {
        self.units.iter().flat_map(|planned| {
            (0..planned.unit.exercise.manifest.checks.len())
                .map(move |check| Job { planned, check })
        })
    }

    /// [`Plan::jobs`], those that must run alone (timing) or those that need not.
    pub(crate) fn jobs_alone(&self, alone: bool) -> impl Iterator<Item = Job<'_, 'a>> {
        self.jobs()
            .filter(move |job| job.check().section.runs_alone() == alone)
    }

    /// The checks that run of the kinds that do the work of several checks at once, by
    /// submission: what such a kind may take together. A submission keeps only its units
    /// that have such a check, and lists the checks when asked.
    pub(crate) fn together(&self) -> HashMap<&'a str, Together<'_>> {
        let mut units: HashMap<&str, Vec<&dyn Members>> = HashMap::new();
        for planned in &self.units {
            let checks = &planned.unit.exercise.manifest.checks;
            if checks.iter().any(|check| check.section.together()) {
                (units.entry(planned.unit.submission).or_default()).push(planned);
            }
        }
        (units.into_iter())
            .map(|(submission, units)| (submission, Together::new(units)))
            .collect()
    }
}

impl Members for Planned<'_> {
    fn members(&self) -> Vec<Member<'_>> {
        let exercise = self.unit.exercise;
        (0..exercise.manifest.checks.len())
            .map(|check| Job {
                planned: self,
                check,
            })
            .filter(|job| job.check().section.together() && job.runs())
            .map(|job| Member::new(exercise, job.check(), move || self.files.files(exercise)))
            .collect()
    }
}

/// One check of one unit of work.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Job<'p, 'a> {
    pub planned: &'p Planned<'a>,
    /// Index into the manifest's checks.
    pub check: usize,
}

impl<'a> Job<'_, 'a> {
    pub(crate) fn unit(&self) -> Unit<'a> {
        self.planned.unit
    }

    pub(crate) fn check(&self) -> &'a Check {
        &self.planned.unit.exercise.manifest.checks[self.check]
    }

    /// The learner has not started the exercise, and the check does not run.
    pub(crate) fn not_started(&self) -> bool {
        !self.planned.started && !self.planned.grade_untouched
    }

    /// The check is left out of this unit's grading ([`Work::behaviour_only`]).
    pub(crate) fn left_out(&self) -> bool {
        let section = &self.check().section;
        self.planned.behaviour_only && (section.quality() || section.runs_alone())
    }

    /// Whether the check runs: it is not left out, the submission is not an untouched
    /// starter, and its files were not refused.
    pub(crate) fn runs(&self) -> bool {
        !self.left_out() && !self.not_started() && self.planned.files.refusal().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Bank;
    use crate::bank::manifest::tests::ProbeKinds;
    use crate::bank::outline::{self, tests::ONE_MODULE};
    use crate::checks::write_file;

    const MANIFEST: &str = r#"
format-version = 1
title = "Stock"
module = 1
hints = ["Add."]
files = ["stock.py", "data/**"]
max-files-size = "1 KiB"

[[check]]
kind = "quick"
points = 1
"#;

    /// A bank, in `dir`, of one exercise taking `data/**` up to 1 KiB.
    fn stock_bank(dir: &Path) -> Bank {
        let exercise = dir.join("bank/01-foundations/01-stock");
        let files = [
            ("exercise.toml", MANIFEST),
            ("README.md", "# Stock\n"),
            ("starter/stock.py", "x = 1\n"),
            ("reference/stock.py", "x = 2\n"),
        ];
        for (path, text) in files {
            write_file(&exercise.join(path), text.as_bytes()).unwrap();
        }
        let outline = dir.join("bank").join(outline::FILE);
        write_file(&outline, ONE_MODULE.as_bytes()).unwrap();
        Bank::load(Some(&dir.join("bank")), &ProbeKinds).unwrap()
    }

    /// The stock bank's exercise, and a learner's folder holding its `stock.py` and `data`
    /// (path, size in bytes).
    fn submission(data: &[(&str, usize)]) -> Submission {
        let dir = tempfile::tempdir().unwrap();
        let bank = stock_bank(dir.path());
        let learner = dir.path().join("learner");
        write_file(&learner.join("stock.py"), b"x = 3\n").unwrap();
        for (path, size) in data {
            write_file(&learner.join(path), &vec![b'1'; *size]).unwrap();
        }
        Submission::from_workspace(&bank.exercises[0], &learner).unwrap()
    }

    #[test]
    fn parked_files_are_read_again_and_must_not_have_changed() {
        let dir = tempfile::tempdir().unwrap();
        let bank = stock_bank(dir.path());
        let exercise = &bank.exercises[0];
        let workspace: Arc<Path> = dir.path().join("ws").into();
        let learner = workspace.join(&exercise.id);
        write_file(&learner.join("stock.py"), b"x = 3\n").unwrap();
        write_file(&learner.join("data/a.txt"), b"1").unwrap();

        let mut submission = Submission::from_workspace(exercise, &learner).unwrap();
        let read = submission.files.clone();
        submission.park(exercise, &workspace);
        assert!(submission.files.is_empty(), "the bytes are let go");
        assert!(!submission.is_starter(exercise));
        assert_eq!(submission.files(exercise).unwrap(), read);

        write_file(&learner.join("data/a.txt"), b"2").unwrap();
        let changed = submission.files(exercise).unwrap_err().to_string();
        assert!(
            changed.contains("changed while they were being graded"),
            "{changed}"
        );
    }

    #[test]
    fn the_files_a_glob_takes_keep_their_paths() {
        let submission = submission(&[("data/a.txt", 10), ("data/more/b.txt", 20)]);
        let names: Vec<&str> = submission.files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["stock.py", "data/a.txt", "data/more/b.txt"]);
        assert!(submission.refusal().is_none());
    }

    #[test]
    fn more_bytes_than_the_cap_are_refused_unread() {
        let submission = submission(&[("data/a.txt", 600), ("data/b.txt", 600)]);
        let (status, why) = submission.refusal().unwrap();
        assert_eq!(status, Status::Rejected);
        assert!(
            why.contains("are 1.2 KiB together, over the exercise's `max-files-size` of 1.0 KiB"),
            "{why}"
        );
        assert_eq!(submission.files.len(), 1, "only the plain file was read");
    }

    #[test]
    fn an_oversize_file_a_glob_matches_is_refused() {
        let big = MAX_FILE_BYTES as usize + 1;
        let submission = submission(&[("data/big.bin", big)]);
        let (status, why) = submission.refusal().unwrap();
        assert_eq!(status, Status::Rejected);
        assert!(why.contains("data/big.bin is 1048577 bytes"), "{why}");
    }
}
