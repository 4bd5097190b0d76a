//! A learner's workspace: the folder `pygrade init` fills with each exercise's statement,
//! starter files and visible tests, laid out `<module>/<exercise>/` as in the bank, plus a
//! `.pygrade/` folder marking its root and remembering the last grade of each exercise.
//!
//! pygrade also keeps a few files of its own there, so that the handed-out tests run with
//! plain `pytest`: a `pytest.ini` and a `conftest.py` at the root, and in `.pygrade/python/`
//! the comparison helpers the tests import, written from the graders package compiled into
//! the binary. `init` and `check` rewrite them when pygrade changes them. They sit outside
//! every exercise's folder, so no check reads them and no report lists them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::bank::{Bank, Exercise};
use crate::engine::{Event, Listener};

const MARKER: &str = ".pygrade";
/// What the workspace remembers (see [`State`]).
const STATE: &str = "state.json";
/// Where `pygrade reset` keeps the learner's files it replaces.
const BACKUPS: &str = "backups";
/// The folders Python and its tools write beside the learner's files: no one's work.
pub(crate) const TOOL_CACHES: [&str; 4] =
    ["__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"];

/// How each file pygrade keeps in a workspace begins, so that it knows its own.
const WRITTEN_BY: &str = "# Written by pygrade";

/// pygrade's own files in a workspace, by path from its root: with them, `pytest` typed
/// anywhere in the workspace runs the handed-out tests (see `graders/workspace/`).
const OWN_FILES: [(&str, &str); 5] = [
    (
        "pytest.ini",
        include_str!("../graders/workspace/pytest.ini"),
    ),
    (
        "conftest.py",
        include_str!("../graders/workspace/conftest.py"),
    ),
    (
        ".pygrade/python/pygrade_graders/__init__.py",
        r#"# Written by pygrade, which rewrites this folder when it changes.
"""pygrade's comparison helpers, which the handed-out tests import (`compare.py`)."""
"#,
    ),
    (
        ".pygrade/python/pygrade_graders/compare.py",
        concat!(
            "# Written by pygrade, which rewrites this file when it changes.\n",
            include_str!("../graders/pygrade_graders/compare.py")
        ),
    ),
    (
        ".pygrade/python/pygrade_graders/py.typed",
        include_str!("../graders/pygrade_graders/py.typed"),
    ),
];

/// The last known grade of one exercise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Known {
    pub status: String,
    pub score: f64,
    pub max_score: f64,
}

/// Why there is no workspace to grade: `list` goes on without one, `check` cannot.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WorkspaceError {
    #[error("the workspace {} does not exist: create one with `pygrade init DIR`", dir.display())]
    Missing { dir: PathBuf },
    #[error(
        "{} is not a pygrade workspace (no {MARKER}/ folder here or above): create one with `pygrade init DIR`, or pass --workspace",
        dir.display()
    )]
    NotAWorkspace { dir: PathBuf },
}

pub(crate) struct Workspace {
    pub root: PathBuf,
}

/// What `init` did, for its message.
pub(crate) struct Initialised {
    pub written: usize,
    pub kept: usize,
    /// Files at the root where pygrade keeps its own that pygrade did not write: the
    /// learner's, kept (see [`Workspace::refresh`]).
    pub foreign: Vec<PathBuf>,
}

impl Workspace {
    /// The workspace `dir` is in: `dir` itself or the nearest parent holding `.pygrade/`, so
    /// `pygrade check` works from inside an exercise folder too.
    pub(crate) fn find(dir: &Path) -> Result<Workspace, WorkspaceError> {
        let start = dir.canonicalize().map_err(|_| WorkspaceError::Missing {
            dir: dir.to_path_buf(),
        })?;
        for candidate in start.ancestors() {
            if candidate.join(MARKER).is_dir() {
                return Ok(Workspace {
                    root: candidate.to_path_buf(),
                });
            }
        }
        Err(WorkspaceError::NotAWorkspace { dir: start })
    }

    /// The workspace `dir` is in, or (without `dir`) the one around the current folder.
    pub(crate) fn around(dir: Option<&Path>) -> Result<Workspace> {
        let dir = match dir {
            Some(dir) => dir.to_path_buf(),
            None => std::env::current_dir().context("could not read the current folder")?,
        };
        Ok(Workspace::find(&dir)?)
    }

    /// Fills `dir` with the bank's handouts. Never overwrites: a file already there is the
    /// learner's work and is kept, so running `init` again only restores what is missing.
    pub(crate) fn init(dir: &Path, bank: &Bank) -> Result<(Workspace, Initialised)> {
        std::fs::create_dir_all(dir.join(MARKER))
            .with_context(|| format!("could not create the workspace {}", dir.display()))?;
        // The remembered grades are the machine's, not the learner's work: keep them out of a
        // workspace kept in git. The file also keeps the marker folder in a git checkout.
        let ignore = dir.join(MARKER).join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, format!("{STATE}\n{BACKUPS}/\n"))
                .with_context(|| format!("could not write {}", ignore.display()))?;
        }
        let mut done = Initialised {
            written: 0,
            kept: 0,
            foreign: Vec::new(),
        };
        for exercise in &bank.exercises {
            for (path, bytes) in exercise.handout() {
                let target = dir.join(&exercise.id).join(path);
                if target.exists() {
                    done.kept += 1;
                    continue;
                }
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&target, bytes)
                    .with_context(|| format!("could not write {}", target.display()))?;
                done.written += 1;
            }
        }
        let workspace = Workspace {
            root: dir.to_path_buf(),
        };
        done.foreign = workspace.refresh()?;
        Ok((workspace, done))
    }

    /// Writes pygrade's own files into the workspace where they are missing or differ from
    /// this pygrade's. A file in their place that pygrade did not write is the learner's: it
    /// is kept, and returned.
    pub(crate) fn refresh(&self) -> Result<Vec<PathBuf>> {
        let mut foreign = Vec::new();
        for (path, text) in OWN_FILES {
            let target = self.root.join(path);
            match std::fs::read(&target) {
                Ok(found) if found == text.as_bytes() => continue,
                Ok(found)
                    if !found.starts_with(WRITTEN_BY.as_bytes()) && !path.starts_with(MARKER) =>
                {
                    foreign.push(target);
                    continue;
                }
                _ => {}
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("could not create {}", parent.display()))?;
            }
            std::fs::write(&target, text)
                .with_context(|| format!("could not write {}", target.display()))?;
        }
        Ok(foreign)
    }

    pub(crate) fn exercise_dir(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// The exercises of `bank` that `dir`, a folder of this workspace, stands for: in an
    /// exercise's folder (or any folder below it) that exercise, in a module's folder the
    /// module's exercises, at the root (or outside the workspace) all of them. A folder of
    /// the workspace that holds none of the bank's exercises is an error.
    pub(crate) fn exercises_in<'b>(&self, dir: &Path, bank: &'b Bank) -> Result<Vec<&'b Exercise>> {
        let dir = dir
            .canonicalize()
            .with_context(|| format!("could not read the folder {}", dir.display()))?;
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        let inside: Vec<String> = match dir.strip_prefix(&root) {
            Ok(inside) => inside
                .components()
                .take(2)
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        };
        // Ids are `<module>/<exercise>`: the folder's first two parts below the root.
        let chosen: Vec<_> = bank
            .exercises
            .iter()
            .filter(|e| e.id.split('/').zip(&inside).all(|(id, part)| id == part))
            .collect();
        if chosen.is_empty() {
            bail!(
                "{} holds no exercise of the bank: run `pygrade check` in an exercise's folder, in a module's folder or at the workspace root {}, or name exercises (`pygrade list` shows them)",
                dir.display(),
                root.display()
            );
        }
        Ok(chosen)
    }

    fn state_path(&self) -> PathBuf {
        self.root.join(MARKER).join(STATE)
    }

    /// What the workspace remembers (see [`State`]). A missing or unreadable state is an
    /// empty one: it is only a memory of earlier runs, and is never half-written by pygrade.
    pub(crate) fn state(&self) -> Result<State> {
        let bytes = match std::fs::read(self.state_path()) {
            Ok(bytes) => bytes,
            Err(_) => return Ok(State::default()),
        };
        State::parse(&bytes).with_context(|| format!("{}", self.state_path().display()))
    }

    /// Changes what the workspace remembers: reads the state afresh, changes it, and writes it
    /// whole or not at all, so that a run killed midway leaves the last good state.
    pub(crate) fn update(&self, change: impl FnOnce(&mut State)) -> Result<()> {
        let mut state = self.state()?;
        change(&mut state);
        state.version = STATE_VERSION;
        crate::files::write_atomically(&self.state_path(), |out| {
            serde_json::to_writer_pretty(&mut *out, &state)?;
            writeln!(out)
        })
    }

    /// Which of the exercise's hints to show next, counted from 0 (once all are shown, the last
    /// again), remembered as shown; None when it has no hints.
    pub(crate) fn next_hint(&self, exercise: &Exercise) -> Result<Option<usize>> {
        let Some(last) = exercise.manifest.hints.len().checked_sub(1) else {
            return Ok(None);
        };
        let shown = self.state()?.hints.get(&exercise.id).copied();
        let next = shown.unwrap_or(0).min(last);
        self.update(|state| {
            state.hints.insert(exercise.id.clone(), next + 1);
        })?;
        Ok(Some(next))
    }

    /// Puts the exercise's handout (statement, starter files, visible tests) back as `init`
    /// wrote it, after copying every file of the exercise's folder into
    /// `.pygrade/backups/<exercise>/<time>/`; files of the learner's own that the handout does
    /// not have stay where they are. The exercise's last grade is forgotten.
    /// Returns the backup's folder, or None when the exercise's folder held no file to keep.
    pub(crate) fn reset(&self, exercise: &Exercise) -> Result<Option<PathBuf>> {
        let folder = self.exercise_dir(&exercise.id);
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace(':', "-");
        let base = self
            .root
            .join(MARKER)
            .join(BACKUPS)
            .join(&exercise.id)
            .join(stamp);
        let mut backup = base.clone();
        for n in 2.. {
            if !backup.exists() {
                break;
            }
            backup = base.with_file_name(format!(
                "{}-{n}",
                base.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
        let mut kept = 0;
        if folder.is_dir() {
            for entry in walkdir::WalkDir::new(&folder) {
                let entry =
                    entry.with_context(|| format!("could not read {}", folder.display()))?;
                let inside = entry.path().strip_prefix(&folder)?;
                // Caches of Python and its tools are no one's work.
                if (inside.components())
                    .any(|part| TOOL_CACHES.iter().any(|cache| part.as_os_str() == *cache))
                {
                    continue;
                }
                let target = backup.join(inside);
                if entry.file_type().is_dir() {
                    std::fs::create_dir_all(&target)
                        .with_context(|| format!("could not create {}", target.display()))?;
                } else if entry.file_type().is_file() {
                    std::fs::copy(entry.path(), &target).with_context(|| {
                        format!(
                            "could not back up {} to {}",
                            entry.path().display(),
                            target.display()
                        )
                    })?;
                    kept += 1;
                }
            }
        }
        for (path, bytes) in exercise.handout() {
            let target = folder.join(&path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("could not create {}", parent.display()))?;
            }
            crate::files::write_atomically(&target, |out| out.write_all(bytes))?;
        }
        self.update(|state| {
            state.grades.remove(&exercise.id);
        })?;
        Ok((kept > 0).then_some(backup))
    }

    /// A listener that remembers the grade of each exercise a run grades in full, and writes
    /// them when the run ends.
    pub(crate) fn remember(&self) -> Remember<'_> {
        Remember {
            workspace: self,
            graded: BTreeMap::new(),
        }
    }
}

/// The version of `.pygrade/state.json` this pygrade writes. Version 1 was the map of grades
/// alone, which is still read.
const STATE_VERSION: u32 = 2;

/// What a workspace remembers, in `.pygrade/state.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    pub version: u32,
    /// The last grade of each exercise graded in full, by id.
    #[serde(default)]
    pub grades: BTreeMap<String, Known>,
    /// How many of each exercise's hints `pygrade hint` has shown, by id.
    #[serde(default)]
    pub hints: BTreeMap<String, usize>,
    /// The exercises that got full marks at least once: their reference solutions may be
    /// shown (`pygrade solution`), even after a later change broke the learner's own.
    #[serde(default)]
    pub solved: BTreeSet<String>,
}

impl State {
    fn parse(bytes: &[u8]) -> Result<State> {
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        match serde_json::from_slice::<Versioned>(bytes) {
            Ok(Versioned { version }) if version > STATE_VERSION => bail!(
                "the workspace's state is of version {version}, written by a newer pygrade than this one (which reads up to {STATE_VERSION}): upgrade pygrade"
            ),
            Ok(_) => Ok(serde_json::from_slice(bytes).unwrap_or_default()),
            // Version 1: the grades alone, whose passes count as solved; anything else
            // unreadable is forgotten.
            Err(_) => {
                let mut state = State {
                    version: STATE_VERSION,
                    grades: serde_json::from_slice(bytes).unwrap_or_default(),
                    ..State::default()
                };
                let passed: Vec<String> = (state.grades.keys())
                    .filter(|id| state.passes(id))
                    .cloned()
                    .collect();
                state.solved.extend(passed);
                Ok(state)
            }
        }
    }

    /// Whether the exercise `id`'s last grade was full marks.
    pub(crate) fn passes(&self, id: &str) -> bool {
        self.grades
            .get(id)
            .is_some_and(|k| k.status == "pass" && k.score >= k.max_score)
    }
}

/// Remembers a run's grades in the workspace (see [`Workspace::remember`]).
pub(crate) struct Remember<'w> {
    workspace: &'w Workspace,
    graded: BTreeMap<String, Known>,
}

impl Listener for Remember<'_> {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        match event {
            // An exercise with a check that did not run (an interrupted run) has no new grade.
            Event::ExerciseGraded { graded } if graded.complete() => {
                let (score, max_score) = graded.score();
                self.graded.insert(
                    graded.unit.exercise.id.clone(),
                    Known {
                        status: graded.status().as_str().into(),
                        score,
                        max_score,
                    },
                );
            }
            Event::RunFinished { .. } => {
                let graded = std::mem::take(&mut self.graded);
                self.workspace.update(|state| {
                    for (id, known) in graded {
                        if known.status == "pass" && known.score >= known.max_score {
                            state.solved.insert(id.clone());
                        }
                        state.grades.insert(id, known);
                    }
                })?;
            }
            _ => {}
        }
        Ok(())
    }
}
