//! The grade cache: each exercise's grade, kept under a hash of everything it depends on, so
//! that a batch run again (after Ctrl-C, a crash, or a new learner) grades only what changed.
//!
//! The key hashes the learner's declared files, every file of the exercise (manifest, tests,
//! hidden tests, references), the pygrade binary itself (its code and the graders compiled
//! into it), the Python, pytest and mypy versions, the sandbox, and whether hidden tests run.
//! A changed test file changes its exercise's key and no other. Grades are written as they
//! come, each file whole or not at all; a grade that is not a verdict (a check cut short by
//! Ctrl-C, a timing check the machine was too noisy to decide) is never kept.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::bank::Exercise;
use crate::checks::Hidden;
use crate::engine::Submission;
use crate::grade::Status;
use crate::report::{ExerciseReport, Tools};

/// What every grade of a run depends on beside its files, and each exercise's part of the
/// key, worked out once.
pub(crate) struct Fingerprint {
    run: Arc<str>,
    exercises: RefCell<HashMap<String, Arc<str>>>,
}

impl Fingerprint {
    /// The fingerprint of a run with `tools` that runs hidden tests as `hidden` says.
    pub(crate) fn new(tools: &Tools, hidden: Hidden) -> Result<Fingerprint> {
        let mut hasher = Sha256::new();
        let exe = std::env::current_exe().context("cannot find pygrade's own binary")?;
        let mut binary = std::fs::File::open(&exe)
            .with_context(|| format!("cannot read pygrade's binary {}", exe.display()))?;
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let n = binary.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
        }
        let tools = serde_json::to_vec(tools)?;
        field(&mut hasher, &tools);
        field(&mut hasher, format!("{hidden:?}").as_bytes());
        Ok(Fingerprint {
            run: hex::encode(hasher.finalize()).into(),
            exercises: RefCell::default(),
        })
    }

    /// The key of `exercise` graded on `files`.
    pub(crate) fn key(&self, exercise: &Exercise, files: &Submission) -> Key {
        let mut exercises = self.exercises.borrow_mut();
        let ex = exercises.entry(exercise.id.clone()).or_insert_with(|| {
            let mut ex = Sha256::new();
            field(&mut ex, exercise.id.as_bytes());
            for (path, bytes) in &exercise.files {
                field(&mut ex, path.to_string_lossy().as_bytes());
                field(&mut ex, bytes);
            }
            hex::encode(ex.finalize()).into()
        });
        let mut learner = Sha256::new();
        for (name, bytes) in files.files.iter() {
            field(&mut learner, name.as_bytes());
            field(&mut learner, bytes);
        }
        for line in files.missing.iter().chain(&files.rejected) {
            field(&mut learner, line.as_bytes());
        }
        for unseen in &files.not_graded {
            field(&mut learner, unseen.file.as_bytes());
            field(&mut learner, unseen.reason.as_bytes());
        }
        Key {
            run: self.run.clone(),
            exercise: ex.clone(),
            files: learner.finalize().into(),
        }
    }
}

/// What one grade depends on, in three parts, so that a change can be told apart: the
/// learner's files, the exercise's, or pygrade and its tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Key {
    /// Held as bytes (a cohort's run holds a key for each of its learners' exercises), written
    /// as hexadecimal digits.
    #[serde(with = "hex::serde")]
    pub files: [u8; 32],
    /// Shared by the keys of a run: one per exercise.
    pub exercise: Arc<str>,
    /// Shared by the keys of a run.
    pub run: Arc<str>,
}

impl Key {
    /// The name the grade is kept under.
    pub(crate) fn combined(&self) -> String {
        hex::encode(self.digest())
    }

    /// [`Key::combined`], as bytes.
    pub(crate) fn digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        for part in [&*hex::encode(self.files), &*self.exercise, &*self.run] {
            field(&mut hasher, part.as_bytes());
        }
        hasher.finalize().into()
    }

    /// Why a grade under `self` may differ from one under `before`, in words.
    pub(crate) fn changes_since(&self, before: &Key) -> Vec<&'static str> {
        let mut why = Vec::new();
        if self.files != before.files {
            why.push("the learner's files changed");
        }
        if self.exercise != before.exercise {
            why.push("the exercise changed");
        }
        if self.run != before.run {
            why.push("pygrade or its tools changed");
        }
        why
    }
}

/// One field of a key, its length first, so that no two sequences of fields hash alike.
fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// A folder of grades by key.
pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub(crate) fn open(dir: &Path) -> Result<Cache> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the grade cache {}", dir.display()))?;
        Ok(Cache {
            dir: dir.to_path_buf(),
        })
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(&key[..2]).join(format!("{key}.json"))
    }

    /// The grade kept under `key`, if any. A file that cannot be read back (written by
    /// another version, or damaged) is as good as none: the exercise is graded again.
    pub(crate) fn get(&self, key: &Key) -> Option<ExerciseReport> {
        let bytes = std::fs::read(self.path(&key.combined())).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn put(&self, key: &str, report: &ExerciseReport) -> Result<()> {
        let path = self.path(key);
        let folder = path.parent().expect("a key's folder");
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let staged = tempfile::NamedTempFile::new_in(folder)
            .with_context(|| format!("cannot write in {}", folder.display()))?;
        serde_json::to_writer(staged.as_file(), report)?;
        staged
            .persist(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }
}

/// Whether a grade is a verdict worth keeping: every check ran to its end and decided.
pub(crate) fn keeps(report: &ExerciseReport) -> bool {
    report
        .checks
        .iter()
        .all(|c| !matches!(c.status, Status::Skipped | Status::Inconclusive))
}

impl Cache {
    /// Keeps `report` under `key` when it is a verdict; whether it was kept.
    pub(crate) fn keep(&self, key: &Key, report: &ExerciseReport) -> Result<bool> {
        if !keeps(report) {
            return Ok(false);
        }
        self.put(&key.combined(), report).map(|()| true)
    }
}
