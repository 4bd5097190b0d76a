//! The manifest's `files`: which files of a learner's exercise folder a submission is made of.
//!
//! An entry is a plain path or a glob. A plain path (`word_count.py`) is a file the learner
//! must hand in; `starter/` provides it. A glob (`data/**`, `*.csv`; `*` stays inside a folder,
//! `**` crosses folders) takes every regular file of the learner's folder it matches, keeping
//! its relative path, within the exercise's caps on how many files and how many bytes the
//! globs take. A glob never takes a file that could change how grading runs: anything under
//! the exercise's own folders and files (`tests/`, data the checks read), test and
//! interpreter configuration (`conftest.py`, `sitecustomize.py`, ...), hidden files and
//! caches. Reading a learner's folder is the engine's; this module says what the globs take.

use std::collections::BTreeMap;
use std::path::Path;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::{Exercise, Side};

/// The most files the globs may take from one submission, unless the manifest says
/// otherwise (`max-files`).
pub(crate) const DEFAULT_MAX_FILES: usize = 100;
/// The most bytes the globs may take from one submission, all files together, unless the
/// manifest says otherwise (`max-files-size`).
pub(crate) const DEFAULT_MAX_FILES_SIZE: u64 = 10 * 1024 * 1024;

/// Files that configure pytest or the interpreter: taken from a learner, they would change
/// how the trusted tests run, so no glob takes them.
const CONFIGURATION: [&str; 8] = [
    "conftest.py",
    "pytest.ini",
    "mypy.ini",
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    "sitecustomize.py",
    "usercustomize.py",
];

/// Whether a `files` entry is a glob rather than a plain path.
pub(crate) fn is_glob(entry: &str) -> bool {
    entry.contains(['*', '?', '[', '{'])
}

/// One glob of `files`: `*` and `?` stay inside a folder, `**` crosses folders.
fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// The globs of `files`, compiled, and the caps on what they take.
#[derive(Debug)]
pub(crate) struct Globs {
    /// Each glob as written, with its line in the manifest.
    pub patterns: Vec<(String, usize)>,
    set: GlobSet,
    /// The most files they take (`max-files`).
    pub max_files: usize,
    /// The most bytes they take, all files together (`max-files-size`).
    pub max_bytes: u64,
}

impl Globs {
    /// Compiles `patterns`; a pattern that is not a glob is an error naming its line.
    pub(crate) fn new(
        patterns: Vec<(String, usize)>,
        max_files: Option<usize>,
        max_bytes: Option<u64>,
    ) -> Result<Globs, String> {
        let mut set = GlobSetBuilder::new();
        for (pattern, line) in &patterns {
            set.add(glob(pattern).map_err(|e| {
                format!(
                    "`files` entry {pattern:?} (line {line}) is not a glob pygrade can read: {}",
                    e.kind()
                )
            })?);
        }
        Ok(Globs {
            patterns,
            set: set.build().map_err(|e| e.to_string())?,
            max_files: max_files.unwrap_or(DEFAULT_MAX_FILES),
            max_bytes: max_bytes.unwrap_or(DEFAULT_MAX_FILES_SIZE),
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether one of the globs matches `path`, relative to the exercise folder.
    pub(crate) fn matches(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    /// The globs as a manifest lists them, for messages: `data/**, *.csv`.
    pub(crate) fn listed(&self) -> String {
        let patterns: Vec<&str> = self.patterns.iter().map(|(p, _)| p.as_str()).collect();
        patterns.join(", ")
    }

    /// What is wrong with the globs on their own: each must stay inside the exercise folder,
    /// and the caps must let something through.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (pattern, line) in &self.patterns {
            let outside = pattern.starts_with('/')
                || pattern
                    .split('/')
                    .any(|part| matches!(part, "" | "." | ".."));
            if outside {
                problems.push(format!(
                    "`files` glob {pattern:?} (line {line}) must be relative to the exercise, without `.`, `..` or empty parts"
                ));
            }
        }
        if !self.is_empty() && self.max_files == 0 {
            problems.push("`max-files` is 0: the globs of `files` could take nothing".into());
        }
        if !self.is_empty() && self.max_bytes == 0 {
            problems.push("`max-files-size` is 0: the globs of `files` could take nothing".into());
        }
        problems
    }
}

/// What the manifest's `files` make of one file of the learner's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Taken {
    /// A plain path of `files`.
    Plain,
    /// A glob takes it.
    Globbed,
    /// A glob matches it, but it could change how grading runs: never taken, and why.
    Refused(String),
    /// Nothing in `files` names it.
    No,
}

impl Exercise {
    /// What `files` make of `path`, a file of the learner's folder relative to it, with `/`
    /// between folders.
    pub(crate) fn take(&self, path: &str) -> Taken {
        let manifest = &self.manifest;
        if manifest.files.iter().any(|file| file == path) {
            return Taken::Plain;
        }
        if !manifest.globs.matches(path) {
            return Taken::No;
        }
        let parts: Vec<&str> = path.split('/').collect();
        let name = parts.last().copied().unwrap_or(path);
        if parts
            .iter()
            .any(|part| part.starts_with('.') || *part == "__pycache__")
            || name.ends_with(".pyc")
        {
            return Taken::Refused("a hidden file or a cache: never graded".into());
        }
        if CONFIGURATION.contains(&name) || name.ends_with(".pth") {
            return Taken::Refused(format!(
                "pygrade never takes {name} from a learner: it would change how the tests run"
            ));
        }
        if let Some(own) = self.own_tops().into_iter().find(|top| top == parts[0]) {
            return Taken::Refused(format!(
                "{own} is the exercise's own: grading uses the bank's, and takes no learner file there"
            ));
        }
        Taken::Globbed
    }

    /// The top-level folders and files of the exercise that grading owns: its tests, the
    /// data its checks read, and the folders that are never a learner's.
    fn own_tops(&self) -> Vec<String> {
        let mut tops: Vec<String> = [
            "tests",
            "starter",
            "reference",
            "exercise.toml",
            "README.md",
        ]
        .map(String::from)
        .to_vec();
        tops.extend(self.trusted_files().filter_map(|(path, _)| {
            Some(path.components().next()?.as_os_str().to_str()?.to_string())
        }));
        tops.sort();
        tops.dedup();
        tops
    }

    /// The learner files of the bank's `starter/` or `reference/`, by name: the plain files
    /// it has, and those of its files that the globs take.
    pub(crate) fn side_files(&self, side: Side) -> BTreeMap<String, &[u8]> {
        let mut files = BTreeMap::new();
        for (path, bytes) in &self.files {
            let Ok(inner) = path.strip_prefix(side.dir()) else {
                continue;
            };
            let name = slashed(inner);
            if matches!(self.take(&name), Taken::Plain | Taken::Globbed) {
                files.insert(name, bytes.as_slice());
            }
        }
        files
    }

    /// Every entry of `files` as the manifest lists it, for messages.
    pub(crate) fn declared(&self) -> String {
        let mut entries = self.manifest.files.clone();
        entries.extend(self.manifest.globs.patterns.iter().map(|(p, _)| p.clone()));
        entries.join(", ")
    }
}

/// A relative path with `/` between its parts, as globs and learner file names are written.
pub(crate) fn slashed(path: &Path) -> String {
    let parts: Vec<_> = path
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// What is wrong with the globs of an exercise whose folder holds `files`: a glob that takes
/// one of the exercise's own files (a test, the manifest, data the checks read, a solution)
/// would let a learner's file stand in for it; and the starter's and the reference's files
/// must be within the caps, or an untouched or a solved submission would be refused.
pub(super) fn problems(exercise: &Exercise) -> Vec<String> {
    let globs = &exercise.manifest.globs;
    let mut problems = Vec::new();
    // Paths a learner's folder could hold under the exercise's own folders.
    let probes = [
        "tests/test_probe.py",
        "tests/conftest.py",
        "reference/probe.py",
    ];
    let own: Vec<String> = (exercise.files.keys())
        .filter(|path| !path.starts_with("starter"))
        .map(|path| slashed(path))
        .chain(probes.map(String::from))
        .collect();
    for (pattern, line) in &globs.patterns {
        let Ok(single) = glob(pattern).map(|glob| glob.compile_matcher()) else {
            continue;
        };
        if let Some(path) = own.iter().find(|path| single.is_match(path)) {
            problems.push(format!(
                "`files` glob {pattern:?} (line {line}) matches {path}, which is the exercise's own: a glob may take only the learner's files (narrow it, e.g. `data/**`)"
            ));
        }
    }
    if globs.is_empty() {
        return problems;
    }
    for side in [Side::Starter, Side::Reference] {
        let taken = exercise.side_files(side);
        let globbed: Vec<usize> = taken
            .iter()
            .filter(|(name, _)| exercise.take(name) == Taken::Globbed)
            .map(|(_, bytes)| bytes.len())
            .collect();
        let bytes: usize = globbed.iter().sum();
        if globbed.len() > globs.max_files {
            problems.push(format!(
                "the globs of `files` take {} files of {}/, over `max-files` ({})",
                globbed.len(),
                side.dir(),
                globs.max_files
            ));
        }
        if bytes as u64 > globs.max_bytes {
            problems.push(format!(
                "the globs of `files` take {bytes} bytes of {}/, over `max-files-size` ({} bytes)",
                side.dir(),
                globs.max_bytes
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::bank::Bank;
    use crate::bank::manifest::tests::ProbeKinds;
    use crate::bank::outline::{self, tests::ONE_MODULE};

    /// A bank of one exercise whose `files` are `files` (a TOML array), with `extra` files
    /// beside the usual ones.
    fn bank(files: &str, extra: &[(&str, &str)]) -> anyhow::Result<Bank> {
        let manifest = format!(
            "format-version = 1\ntitle = \"Stock\"\nmodule = 1\nhints = [\"Add.\"]\nfiles = {files}\n\n[[check]]\nkind = \"quick\"\npoints = 1\n"
        );
        let mut all = vec![
            ("exercise.toml", manifest.as_str()),
            ("README.md", "# Stock\n"),
            ("starter/stock.py", "x = 1\n"),
            ("reference/stock.py", "x = 2\n"),
            ("tests/test_stock.py", "\n"),
        ];
        all.extend_from_slice(extra);
        let mut files: Vec<_> = all
            .into_iter()
            .map(|(path, text)| {
                let path = PathBuf::from("01-foundations/01-stock").join(path);
                (path, text.as_bytes().to_vec())
            })
            .collect();
        files.push((outline::FILE.into(), ONE_MODULE.as_bytes().to_vec()));
        Bank::from_files("a test bank".into(), files, &ProbeKinds)
    }

    fn exercise(files: &str) -> Exercise {
        bank(files, &[]).unwrap().exercises.remove(0)
    }

    #[test]
    fn an_entry_with_a_wildcard_is_a_glob() {
        assert!(is_glob("data/**"));
        assert!(is_glob("*.csv"));
        assert!(is_glob("data/[ab].txt"));
        assert!(!is_glob("pkg/stock.py"));
    }

    #[test]
    fn a_star_stays_in_its_folder_and_two_cross_folders() {
        let e = exercise(r#"["stock.py", "*.csv", "data/**"]"#);
        assert_eq!(e.take("stock.py"), Taken::Plain);
        assert_eq!(e.take("prices.csv"), Taken::Globbed);
        assert_eq!(e.take("old/prices.csv"), Taken::No);
        assert_eq!(e.take("data/a/b/c.txt"), Taken::Globbed);
        assert_eq!(e.take("notes.md"), Taken::No);
        assert_eq!(e.manifest.globs.max_files, DEFAULT_MAX_FILES);
        assert_eq!(e.manifest.globs.max_bytes, DEFAULT_MAX_FILES_SIZE);
    }

    #[test]
    fn a_glob_refuses_what_would_change_how_grading_runs() {
        let e = exercise(r#"["stock.py", "data/**", "*.py"]"#);
        let refused = |path: &str| matches!(e.take(path), Taken::Refused(_));
        assert!(refused("data/conftest.py"));
        assert!(refused("conftest.py"));
        assert!(refused("data/sitecustomize.py"));
        assert!(refused("data/evil.pth"));
        assert!(refused("data/__pycache__/x.pyc"));
        assert!(refused("data/.hidden"));
        assert_eq!(e.take("helpers.py"), Taken::Globbed);
    }

    #[test]
    fn a_glob_that_does_not_parse_is_named_with_its_line() {
        let err = bank("[\n  \"stock.py\",\n  \"data/[ab\",\n]", &[]).unwrap_err();
        let err = format!("{err:#}");
        assert!(
            err.contains("`files` entry \"data/[ab\" (line 7) is not a glob"),
            "{err}"
        );
    }

    #[test]
    fn a_glob_may_not_take_the_exercises_own_files() {
        for glob in ["**", "tests/*.py", "*.toml", "inputs/**"] {
            let err = bank(
                &format!(r#"["stock.py", "{glob}"]"#),
                &[("inputs/sizes.py", "\n")],
            )
            .unwrap_err();
            let err = format!("{err:#}");
            assert!(err.contains("which is the exercise's own"), "{glob}: {err}");
        }
    }

    #[test]
    fn the_starter_and_the_reference_keep_within_the_caps() {
        let manifest_cap = r#"["stock.py", "data/**"]
max-files = 1"#;
        let err = bank(
            manifest_cap,
            &[
                ("reference/data/a.txt", "1\n"),
                ("reference/data/b.txt", "2\n"),
            ],
        )
        .unwrap_err();
        let err = format!("{err:#}");
        assert!(
            err.contains("take 2 files of reference/, over `max-files` (1)"),
            "{err}"
        );
    }

    #[test]
    fn a_sides_files_are_its_plain_files_and_what_the_globs_take() {
        let bank = bank(
            r#"["stock.py", "data/**"]"#,
            &[
                ("starter/data/a.txt", "1\n"),
                ("starter/notes.md", "\n"),
                ("reference/data/more/b.txt", "2\n"),
            ],
        )
        .unwrap();
        let e = &bank.exercises[0];
        let names = |side| e.side_files(side).into_keys().collect::<Vec<_>>();
        assert_eq!(names(Side::Starter), ["data/a.txt", "stock.py"]);
        assert_eq!(names(Side::Reference), ["data/more/b.txt", "stock.py"]);
    }
}
