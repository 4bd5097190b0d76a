//! Discover: the exercise bank, read once into memory.
//!
//! A bank is a tree `<NN-module>/<NN-slug>/` of exercise folders, each with an
//! `exercise.toml`, under an `outline.toml` that declares the bank's modules. The default bank is compiled into the binary (so `pygrade init` works from
//! an installed binary); `--bank DIR` reads another from disk. Either way every exercise is
//! loaded and validated up front, so a broken manifest stops the run before anything is graded
//! and names every problem at once. Exercises are small, so their files are held as bytes.

pub(crate) mod demo;
pub(crate) mod files;
pub(crate) mod manifest;
pub(crate) mod outline;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use include_dir::{Dir, include_dir};
use walkdir::WalkDir;

pub(crate) use files::{Taken, slashed};
pub(crate) use manifest::{Check, Kinds, Layout, Manifest, Section};
pub(crate) use outline::Outline;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/exercises");

/// Which part of an exercise folder the learner's side of a check comes from, in `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Starter,
    Reference,
}

impl Side {
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Side::Starter => "starter",
            Side::Reference => "reference",
        }
    }
}

#[derive(Debug)]
pub(crate) struct Exercise {
    /// The folder relative to the bank, e.g. `01-foundations/01-word-count`.
    pub id: String,
    pub manifest: Manifest,
    /// The title its bank's outline gives the module `manifest.module` names.
    pub module_title: String,
    /// Every file of the exercise folder, by path relative to it.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

/// The folder of an exercise's hidden tests: pytest tests that `pygrade init` never hands out
/// and that run only when a grader asks (`pygrade check --hidden`, `pygrade verify`).
pub(crate) const HIDDEN: &str = "hidden";

impl Exercise {
    /// Files a check may see: everything but the manifest, the statement, both solutions and
    /// the hidden tests (which the check that runs them lays out itself, when it does).
    pub(crate) fn trusted_files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.files.iter().filter_map(|(path, bytes)| {
            let first = path.components().next()?.as_os_str().to_str()?;
            let private = matches!(
                first,
                "starter" | "reference" | "exercise.toml" | "README.md" | HIDDEN
            );
            (!private).then_some((path.as_path(), bytes.as_slice()))
        })
    }

    /// The hidden tests, by path inside [`HIDDEN`].
    pub(crate) fn hidden_files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.files.iter().filter_map(|(path, bytes)| {
            let inner = path.strip_prefix(HIDDEN).ok()?;
            Some((inner, bytes.as_slice()))
        })
    }

    /// The trusted files a check's working folder holds: all but the folders a check keeps to
    /// pygrade (the output checks' expected outputs).
    pub(crate) fn work_files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        let private: Vec<&str> = self
            .manifest
            .checks
            .iter()
            .flat_map(|check| check.section.private_folders())
            .collect();
        self.trusted_files()
            .filter(move |(path, _)| !private.iter().any(|folder| path.starts_with(folder)))
    }

    /// The learner files as the bank's `starter/` or `reference/` holds them.
    pub(crate) fn side_file(&self, side: Side, file: &str) -> Option<&[u8]> {
        self.files
            .get(&Path::new(side.dir()).join(file))
            .map(Vec::as_slice)
    }

    /// The files a learner gets from `pygrade init`: statement, starter files, visible tests.
    pub(crate) fn handout(&self) -> impl Iterator<Item = (PathBuf, &[u8])> {
        let given: Vec<&str> = (self.manifest.checks.iter())
            .flat_map(|check| check.section.handed_out())
            .collect();
        self.files.iter().filter_map(move |(path, bytes)| {
            if path == Path::new("README.md")
                || path.starts_with("tests")
                || given.iter().any(|file| path == Path::new(file))
            {
                Some((path.clone(), bytes.as_slice()))
            } else {
                let rest = path.strip_prefix("starter").ok()?;
                Some((rest.to_path_buf(), bytes.as_slice()))
            }
        })
    }

    pub(crate) fn slug(&self) -> &str {
        self.id.rsplit('/').next().unwrap_or(&self.id)
    }

    /// The slug without its number: `word-count` for `01-foundations/01-word-count`.
    pub(crate) fn name(&self) -> &str {
        let slug = self.slug();
        slug.split_once('-').map_or(slug, |(_, name)| name)
    }
}

/// Why there is no bank to grade against. Nothing is graded with a bank that has problems.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BankError {
    #[error("the exercise bank {} is not a folder: check --bank", dir.display())]
    NotAFolder { dir: PathBuf },
    #[error(
        "the exercise bank ({origin}) has problems; fix these files:\n  {}",
        problems.join("\n  ")
    )]
    Broken {
        origin: String,
        problems: Vec<String>,
    },
    #[error(
        "the exercise bank ({origin}) holds no exercises (expected <module>/<exercise>/exercise.toml)"
    )]
    Empty { origin: String },
    #[error(
        "the exercise bank ({origin}) has no {file}: write one at its root that declares the bank's modules, such as\n\n{minimal}",
        file = outline::FILE,
        minimal = outline::MINIMAL.trim_end()
    )]
    NoOutline { origin: String },
}

#[derive(Debug)]
pub(crate) struct Bank {
    /// Where it came from, for messages.
    pub origin: String,
    /// Its title and modules, from its [`outline::FILE`].
    pub outline: Outline,
    pub exercises: Vec<Exercise>,
    /// The bank's demo learner ([`demo::FILE`]), as text: read when it is used.
    demo: Option<String>,
}

/// A topic of the bank's outline, and the exercises that practise it.
pub(crate) struct Topic<'b> {
    /// The number of the module that lists it.
    pub module: u8,
    pub name: &'b str,
    pub exercises: Vec<&'b Exercise>,
}

impl Bank {
    /// The bank in `dir`, or the built-in one; its checks may be of the `kinds` given.
    pub(crate) fn load(dir: Option<&Path>, kinds: &dyn Kinds) -> Result<Bank> {
        match dir {
            Some(dir) => Bank::from_dir(dir, kinds),
            None => Bank::embedded(kinds),
        }
    }

    fn embedded(kinds: &dyn Kinds) -> Result<Bank> {
        let mut files = Vec::new();
        collect_embedded(&EMBEDDED, &mut files);
        Bank::from_files("the built-in bank".into(), files, kinds)
    }

    fn from_dir(dir: &Path, kinds: &dyn Kinds) -> Result<Bank> {
        if !dir.is_dir() {
            return Err(BankError::NotAFolder {
                dir: dir.to_path_buf(),
            }
            .into());
        }
        let mut files = Vec::new();
        for entry in WalkDir::new(dir).follow_links(false).sort_by_file_name() {
            let entry =
                entry.with_context(|| format!("could not read the bank {}", dir.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let relative = entry.path().strip_prefix(dir)?.to_path_buf();
            let bytes = std::fs::read(entry.path())
                .with_context(|| format!("could not read {}", entry.path().display()))?;
            files.push((relative, bytes));
        }
        Bank::from_files(dir.display().to_string(), files, kinds)
    }

    fn from_files(
        origin: String,
        files: Vec<(PathBuf, Vec<u8>)>,
        kinds: &dyn Kinds,
    ) -> Result<Bank> {
        let mut folders: BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<u8>>> = BTreeMap::new();
        let (mut demo, mut outline) = (None, None);
        for (path, bytes) in files {
            if path == Path::new(demo::FILE) {
                demo = Some(String::from_utf8_lossy(&bytes).into_owned());
                continue;
            }
            if path == Path::new(outline::FILE) {
                outline = Some(bytes);
                continue;
            }
            if is_junk(&path) {
                continue;
            }
            let parts: Vec<_> = path.components().collect();
            if parts.len() < 3 {
                continue; // bank-level files such as a README
            }
            let folder: PathBuf = parts[..2].iter().collect();
            let inner: PathBuf = parts[2..].iter().collect();
            folders.entry(folder).or_default().insert(inner, bytes);
        }
        if folders.is_empty() {
            return Err(BankError::Empty { origin }.into());
        }
        let Some(outline) = outline else {
            return Err(BankError::NoOutline { origin }.into());
        };
        let mut problems = Vec::new();
        // A broken outline is reported with the manifests' problems; the manifests are then
        // checked for everything but their `module`.
        let parsed = std::str::from_utf8(&outline)
            .map_err(|_| vec!["is not UTF-8 text".to_string()])
            .and_then(Outline::parse);
        let outline = match parsed {
            Ok(outline) => Some(outline),
            Err(found) => {
                problems.extend(found.into_iter().map(|p| format!("{}: {p}", outline::FILE)));
                None
            }
        };
        let mut exercises = Vec::new();
        for (folder, files) in folders {
            let id = folder.to_string_lossy().replace('\\', "/");
            match load_exercise(id.clone(), files, outline.as_ref(), kinds) {
                Ok(exercise) => exercises.push(exercise),
                Err(found) => problems.extend(
                    found
                        .into_iter()
                        .map(|p| format!("{id}/exercise.toml: {p}")),
                ),
            }
        }
        match outline {
            Some(outline) if problems.is_empty() => Ok(Bank {
                origin,
                outline,
                exercises,
                demo,
            }),
            _ => Err(BankError::Broken { origin, problems }.into()),
        }
    }

    /// Every topic of the outline, module by module, with the exercises that practise it
    /// (their manifests' `practises`), in bank order.
    pub(crate) fn topics(&self) -> Vec<Topic<'_>> {
        let mut topics = Vec::new();
        for module in &self.outline.modules {
            for name in &module.topics {
                let exercises = (self.exercises.iter())
                    .filter(|e| e.manifest.practises.contains(name))
                    .collect();
                topics.push(Topic {
                    module: module.number,
                    name,
                    exercises,
                });
            }
        }
        topics
    }

    /// The exercises `filters` name (all when there are none), in bank order. Each filter is
    /// a name as [`Bank::named`] takes it.
    pub(crate) fn select(&self, filters: &[String]) -> Result<Vec<&Exercise>> {
        if filters.is_empty() {
            return Ok(self.exercises.iter().collect());
        }
        let mut chosen = Vec::new();
        for filter in filters {
            chosen.extend(self.named(filter)?);
        }
        chosen.sort_by(|a, b| a.id.cmp(&b.id));
        chosen.dedup_by(|a, b| a.id == b.id);
        Ok(chosen)
    }

    /// Exactly one exercise, by a name as [`Bank::named`] takes it.
    pub(crate) fn find(&self, name: &str) -> Result<&Exercise> {
        match self.named(name)?.as_slice() {
            [one] => Ok(one),
            many => Err(ambiguous(name, many)),
        }
    }

    /// The exercises a name given on the command line stands for: every exercise whose id it
    /// begins (`01-foundations/01-word-count`, `01-foundations`, `01`), or else the one whose
    /// folder name (`01-word-count`) or name without its number (`word-count`) it is. A short
    /// name that several exercises share is an error naming them: only an id prefix stands
    /// for many.
    fn named(&self, name: &str) -> Result<Vec<&Exercise>> {
        let name = name.trim_end_matches('/');
        let by_id: Vec<_> = self.exercises.iter().filter(|e| matches(e, name)).collect();
        if !by_id.is_empty() {
            return Ok(by_id);
        }
        let by_name: Vec<_> = self
            .exercises
            .iter()
            .filter(|e| e.slug() == name || e.name() == name)
            .collect();
        match by_name.as_slice() {
            [] => {
                // A part of a name (`single-flight`) or of an id finds what it may have meant.
                let lowered = name.to_lowercase();
                let near: Vec<&str> = (self.exercises.iter())
                    .filter(|e| e.id.to_lowercase().contains(&lowered))
                    .map(|e| e.id.as_str())
                    .take(4)
                    .collect();
                match near.as_slice() {
                    [] => {
                        bail!("no exercise matches {name:?}: `pygrade list` shows the exercise ids")
                    }
                    [one] => bail!("no exercise matches {name:?}: did you mean {one}?"),
                    some => bail!(
                        "no exercise matches {name:?}: did you mean one of {}?",
                        some.join(", ")
                    ),
                }
            }
            [_] => Ok(by_name),
            many => Err(ambiguous(name, many)),
        }
    }
}

/// Ids are hierarchical, so a prefix names a module (`01`, `01-foundations`) or an exercise.
fn matches(exercise: &Exercise, filter: &str) -> bool {
    exercise.id.starts_with(filter)
}

/// The error for a name that stands for several exercises where one was wanted.
fn ambiguous(name: &str, many: &[&Exercise]) -> anyhow::Error {
    let ids: Vec<&str> = many.iter().map(|e| e.id.as_str()).collect();
    anyhow::anyhow!(
        "{name:?} matches {} exercises ({}): give more of the id",
        many.len(),
        ids.join(", ")
    )
}

/// One exercise folder's files as an exercise, its manifest checked against the bank's
/// `outline` (when the outline loaded).
fn load_exercise(
    id: String,
    files: BTreeMap<PathBuf, Vec<u8>>,
    outline: Option<&Outline>,
    kinds: &dyn Kinds,
) -> Result<Exercise, Vec<String>> {
    let text = files
        .get(Path::new("exercise.toml"))
        .ok_or_else(|| vec!["missing: every exercise folder needs an exercise.toml".to_string()])?;
    let text = std::str::from_utf8(text).map_err(|_| vec!["is not UTF-8 text".to_string()])?;
    let manifest = Manifest::parse(text, kinds).map_err(|e| vec![e])?;
    let module_of_folder = id.get(..2).and_then(|n| n.parse().ok());
    let has_file = |p: &Path| files.contains_key(p);
    let has_dir = |p: &Path| files.keys().any(|k| k.starts_with(p) && k != p);
    let files_in = |p: &Path| {
        let inside = files.keys().filter(|k| k.starts_with(p) && *k != p);
        inside.cloned().collect()
    };
    let read = |p: &Path| files.get(p).cloned();
    let layout = Layout {
        files: &manifest.files,
        has_file: &has_file,
        has_dir: &has_dir,
        files_in: &files_in,
        read: &read,
    };
    let mut problems = manifest.validate(module_of_folder, outline, &layout);
    if !files.contains_key(Path::new("README.md")) {
        problems.push("the exercise has no README.md for the learner".into());
    }
    // Empty only when the outline did not load, and then the bank does not load either.
    let module_title = outline
        .and_then(|outline| outline.module(manifest.module))
        .map(|module| module.title.clone())
        .unwrap_or_default();
    let exercise = Exercise {
        id,
        manifest,
        module_title,
        files,
    };
    problems.extend(files::problems(&exercise));
    if problems.is_empty() {
        Ok(exercise)
    } else {
        Err(problems)
    }
}

/// Caches and editor droppings never belong to an exercise.
fn is_junk(path: &Path) -> bool {
    path.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        matches!(
            name.as_ref(),
            "__pycache__" | ".mypy_cache" | ".pytest_cache" | ".DS_Store"
        ) || name.ends_with(".pyc")
    })
}

/// The contents of every file of the bundled bank, as they lie in pygrade's own image.
pub(crate) fn embedded_contents() -> Vec<&'static [u8]> {
    fn walk(dir: &Dir<'static>, out: &mut Vec<&'static [u8]>) {
        out.extend(dir.files().map(|file| file.contents()));
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&EMBEDDED, &mut out);
    out
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for file in dir.files() {
        out.push((file.path().to_path_buf(), file.contents().to_vec()));
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::manifest::tests::ProbeKinds;

    const OUTLINE: &str = "format-version = 1\ntitle = \"Data tools\"\n[[module]]\nnumber = 1\ntitle = \"Reading data\"\n[[module]]\nnumber = 2\ntitle = \"Reporting\"\n";

    /// A bank of one exercise of module `module`, in the folder `02-reporting/01-totals`,
    /// under `outline` (none when `None`).
    fn bank(module: u8, outline: Option<&str>) -> Result<Bank> {
        let manifest = format!(
            "format-version = 1\ntitle = \"Totals\"\nmodule = {module}\nfiles = [\"t.py\"]\nhints = [\"Add.\"]\n[[check]]\nkind = \"quick\"\npoints = 1\n"
        );
        let mut files = vec![
            ("02-reporting/01-totals/exercise.toml", manifest.as_str()),
            ("02-reporting/01-totals/README.md", "# Totals\n"),
            ("02-reporting/01-totals/starter/t.py", "x = 0\n"),
            ("02-reporting/01-totals/reference/t.py", "x = 1\n"),
        ];
        files.extend(outline.map(|text| (outline::FILE, text)));
        let files = files
            .into_iter()
            .map(|(path, text)| (PathBuf::from(path), text.as_bytes().to_vec()))
            .collect();
        Bank::from_files("a test bank".into(), files, &ProbeKinds)
    }

    #[test]
    fn exercises_take_their_module_title_from_the_outline() {
        let bank = bank(2, Some(OUTLINE)).unwrap();
        assert_eq!(bank.outline.title, "Data tools");
        assert_eq!(bank.exercises[0].module_title, "Reporting");
    }

    #[test]
    fn a_bank_without_an_outline_is_shown_a_minimal_one() {
        let err = format!("{:#}", bank(2, None).unwrap_err());
        assert!(
            err.contains("(a test bank) has no outline.toml: write one at its root")
                && err.contains("[[module]]\nnumber = 1\ntitle = \"Foundations\""),
            "{err}"
        );
    }

    #[test]
    fn a_manifest_naming_a_module_the_outline_lacks_names_the_modules_it_has() {
        let outline = OUTLINE.replace("number = 2", "number = 3");
        let err = format!("{:#}", bank(2, Some(&outline)).unwrap_err());
        assert!(
            err.contains("02-reporting/01-totals/exercise.toml: `module` is 2, which outline.toml does not declare: name one of its modules, 1 (Reading data), 3 (Reporting), or add module 2 to outline.toml"),
            "{err}"
        );
    }

    #[test]
    fn a_broken_outline_is_named_beside_the_manifests_problems() {
        let outline = OUTLINE.replace("number = 2", "number = 1");
        let err = format!("{:#}", bank(2, Some(&outline)).unwrap_err());
        assert!(
            err.contains("outline.toml: module 1 is declared twice"),
            "{err}"
        );
        // The manifests are still read: a module folder that disagrees is named too.
        let err = format!("{:#}", bank(1, Some(&outline)).unwrap_err());
        assert!(
            err.contains("`module` is 1 but the exercise sits in the folder of module 2"),
            "{err}"
        );
    }
}
