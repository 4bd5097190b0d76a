//! Discover a cohort: the learners of a folder that holds one entry per learner.
//!
//! An entry is a workspace folder (the `pygrade init` layout) or a `.zip`/`.tar.gz` of one;
//! the learner's name is the entry's name, without the archive's extension. An archive is
//! unpacked safely (see [`archive`]) into a folder of pygrade's; one that cannot be is that
//! learner's refusal, and the batch goes on. Hidden entries (`.git`, `.DS_Store`) and other
//! files are passed over, and said to be.

pub(crate) mod archive;
pub(crate) mod cache;
pub(crate) mod shard;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::bank::Bank;

/// One learner of a cohort, as found.
#[derive(Debug, Clone)]
pub(crate) struct Learner {
    /// The entry's name, without an archive's extension.
    pub name: String,
    pub entry: PathBuf,
    /// `None` for a folder.
    pub archive: Option<archive::Kind>,
}

/// What a cohort folder holds.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// By name.
    pub learners: Vec<Learner>,
    /// Entries that are no learner, and why: for the mentor's eyes.
    pub passed_over: Vec<String>,
}

/// The learners in `cohort`, by name.
pub(crate) fn discover(cohort: &Path) -> Result<Found> {
    let entries = std::fs::read_dir(cohort).with_context(|| {
        format!(
            "cannot read the cohort folder {}: give a folder with one workspace folder, .zip or .tar.gz per learner",
            cohort.display()
        )
    })?;
    let mut found = Found::default();
    let mut by_name: BTreeMap<String, Learner> = BTreeMap::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", cohort.display()))?;
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            found
                .passed_over
                .push(format!("{}: the name is not UTF-8", entry.path().display()));
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot read {}", entry.path().display()))?;
        let learner = if kind.is_dir() {
            Learner {
                name: name.to_string(),
                entry: entry.path(),
                archive: None,
            }
        } else if let (true, Some((archive, stem))) = (kind.is_file(), archive::Kind::of(name)) {
            Learner {
                name: stem.to_string(),
                entry: entry.path(),
                archive: Some(archive),
            }
        } else {
            found.passed_over.push(format!(
                "{name}: not a folder, .zip or .tar.gz{}",
                if kind.is_symlink() {
                    " (links are not followed)"
                } else {
                    ""
                }
            ));
            continue;
        };
        if let Some(other) = by_name.get(&learner.name) {
            bail!(
                "the cohort has two entries for the learner `{}`: {} and {}; keep one",
                learner.name,
                other.entry.display(),
                learner.entry.display()
            );
        }
        by_name.insert(learner.name.clone(), learner);
    }
    found.learners = by_name.into_values().collect();
    found.passed_over.sort();
    Ok(found)
}

/// A learner's workspace, ready to grade, or why there is none.
#[derive(Debug)]
pub(crate) enum Prepared {
    Workspace(PathBuf),
    Rejected(String),
}

impl Learner {
    /// The folder to grade: the entry itself, or the archive unpacked into a fresh folder
    /// under `scratch`. Either way, when the entry holds nothing but one folder (a zipped
    /// workspace folder, as most archive tools make it), that folder.
    pub(crate) fn prepare(&self, scratch: &Path, bank: &Bank) -> Result<Prepared> {
        let root = match self.archive {
            None => self.entry.clone(),
            Some(kind) => {
                let into = scratch.join(&self.name);
                if into.exists() {
                    std::fs::remove_dir_all(&into)
                        .with_context(|| format!("cannot clear {}", into.display()))?;
                }
                std::fs::create_dir_all(&into)
                    .with_context(|| format!("cannot create {}", into.display()))?;
                if let Err(refused) = archive::unpack(&self.entry, kind, &into, Default::default())
                {
                    // Half an archive is no submission: nothing of it stays.
                    let _ = std::fs::remove_dir_all(&into);
                    return Ok(Prepared::Rejected(refused.to_string()));
                }
                into
            }
        };
        Ok(Prepared::Workspace(workspace_root(&root, bank)))
    }
}

/// The folder under `root` that holds the exercises: `root`, or the one folder it holds
/// (macOS's `__MACOSX` metadata aside) when `root` has no module folder of the bank.
fn workspace_root(root: &Path, bank: &Bank) -> PathBuf {
    let has_module = |dir: &Path| {
        bank.exercises.iter().any(|e| {
            let module = e.id.split('/').next().unwrap_or_default();
            dir.join(module).is_dir()
        })
    };
    if has_module(root) {
        return root.to_path_buf();
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return root.to_path_buf();
    };
    let inner: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name() != "__MACOSX")
        .map(|e| e.path())
        .collect();
    match inner.as_slice() {
        [only] if only.is_dir() && !only.is_symlink() => only.clone(),
        _ => root.to_path_buf(),
    }
}
