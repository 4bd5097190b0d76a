//! `exercise.toml`: the manifest of one exercise, format version 1.
//!
//! Plain serde structs with kebab-case keys, defaults in one place, and unknown keys rejected
//! (a typo must fail `pygrade verify`, not be ignored). Each `[[check]]` table names its
//! `kind`, its `points` and its own `limits`; the rest of the table is the kind's own section,
//! which the check kinds read (the bank knows them only as [`Kinds`] and [`Section`]). What
//! serde cannot express (value ranges, files that must exist) is checked in
//! [`Manifest::validate`].

use std::any::Any;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::files::{Globs, is_glob};
use super::outline::Outline;
use crate::contain::Limits;

pub(crate) const FORMAT_VERSION: u32 = 1;

/// The manifest as TOML gives it, before the checks' own sections are read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Raw {
    format_version: u32,
    title: String,
    module: u8,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    practises: Vec<String>,
    files: Vec<toml::Spanned<String>>,
    max_files: Option<usize>,
    max_files_size: Option<bytesize::ByteSize>,
    hints: Vec<String>,
    starter_scores: Option<String>,
    #[serde(default)]
    equivalent_mutants: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    limits: Limits,
    #[serde(rename = "check", default)]
    checks: Vec<toml::Spanned<toml::Table>>,
}

#[derive(Debug)]
pub(crate) struct Manifest {
    pub format_version: u32,
    pub title: String,
    /// The number of one of the modules the bank's outline declares.
    pub module: u8,
    pub topics: Vec<String>,
    /// The outline's topics (of any module) that the exercise's checks grade, word for word.
    pub practises: Vec<String>,
    /// The learner files of `files` given as plain paths: each one required, and provided by
    /// the starter.
    pub files: Vec<String>,
    /// The globs of `files`, which take further learner files, and their caps.
    pub globs: Globs,
    /// Progressive hints, from a nudge to the most concrete; `pygrade hint` shows them one
    /// at a time.
    pub hints: Vec<String>,
    /// Why the starter, untouched, earns points (a refactoring exercise whose starter already
    /// works); without it, `verify` requires the starter to earn none.
    pub starter_scores: Option<String>,
    /// Mutants of the reference (`verify --mutants`) that no test can tell apart from it, by
    /// name, each with why.
    pub equivalent_mutants: std::collections::BTreeMap<String, String>,
    /// Limits for every check of the exercise; a check's own `limits` override them.
    pub limits: Limits,
    pub checks: Vec<Check>,
}

/// One `[[check]]` table.
#[derive(Debug)]
pub(crate) struct Check {
    pub points: f64,
    /// The limits the check itself sets.
    pub limits: Limits,
    /// The kind's own section, as the kind read it.
    pub section: Box<dyn Section>,
}

/// The keys every `[[check]]` table has, whatever its kind.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Common {
    points: f64,
    #[serde(default)]
    limits: Limits,
}

/// A check kind's own section of a `[[check]]` table, as the kind parsed it: what the bank and
/// the scheduler need to know of it without running it.
pub(crate) trait Section: Any + Debug + Send + Sync {
    /// The `kind = "..."` that names it.
    fn kind(&self) -> &'static str;
    /// Its wall-clock limit when no manifest sets one.
    fn default_timeout(&self) -> Duration;
    /// Whether it runs after every other check, one at a time.
    fn runs_alone(&self) -> bool;
    /// Whether it grades how the code is written, not whether it works (see `Kind::QUALITY`).
    fn quality(&self) -> bool;
    /// Whether its checks see the submission's other checks of the run (see
    /// `Kind::TOGETHER`).
    fn together(&self) -> bool {
        false
    }
    /// What is wrong with it in this exercise, each problem a sentence.
    fn problems(&self, exercise: &Layout<'_>) -> Vec<String>;
    /// Folders of the exercise it keeps to pygrade: never copied into a job's folder.
    fn private_folders(&self) -> Vec<&str>;
    /// Files of the exercise, besides its README, tests and starter, that `pygrade init`
    /// hands out (the code a learner's own tests test).
    fn handed_out(&self) -> Vec<&str> {
        Vec::new()
    }
    fn as_any(&self) -> &dyn Any;
}

/// The check kinds a manifest may name.
pub(crate) trait Kinds {
    /// The kind called `kind`, reading its own section; `None` when there is no such kind.
    fn parse(&self, kind: &str, section: toml::Table) -> Option<Result<Box<dyn Section>, String>>;
    /// Every kind's name, for messages.
    fn names(&self) -> Vec<&'static str>;
}

/// What a check's validation may ask of its exercise.
pub(crate) struct Layout<'a> {
    /// The learner files `files` names as plain paths (not its globs).
    pub files: &'a [String],
    /// Whether a path relative to the exercise folder is a file of it.
    pub has_file: &'a dyn Fn(&Path) -> bool,
    /// Whether a path relative to the exercise folder is a folder of it.
    pub has_dir: &'a dyn Fn(&Path) -> bool,
    /// The files inside a folder of the exercise, by path relative to the exercise folder.
    pub files_in: &'a dyn Fn(&Path) -> Vec<PathBuf>,
    /// The bytes of a file of the exercise, by path relative to the exercise folder.
    pub read: &'a dyn Fn(&Path) -> Option<Vec<u8>>,
}

impl Check {
    pub(crate) fn kind(&self) -> &'static str {
        self.section.kind()
    }

    /// Every limit on this check's processes: its own, then the exercise's, then the defaults.
    pub(crate) fn limits(&self, exercise: &Limits) -> Limits {
        self.limits
            .or(exercise)
            .resolve(self.section.default_timeout())
    }

    /// Reads one `[[check]]` table: `kind`, `points` and `limits`, then the kind's section.
    fn parse(table: toml::Table, kinds: &dyn Kinds) -> Result<Check, String> {
        let mut section = table;
        let kind = match section.remove("kind") {
            Some(toml::Value::String(kind)) => kind,
            Some(_) => return Err("`kind` must be a string".into()),
            None => return Err("missing field `kind`".into()),
        };
        let mut common = toml::Table::new();
        for key in ["points", "limits"] {
            if let Some(value) = section.remove(key) {
                common.insert(key.into(), value);
            }
        }
        let keys = section.clone();
        let section = match kinds.parse(&kind, section) {
            Some(parsed) => parsed.map_err(|e| {
                let homes = misplaced(&keys, Place::Check(&kind), kinds);
                format!(
                    "{} (every check also takes `kind`, `points` and `limits`){homes}",
                    e.trim_end()
                )
            })?,
            None => {
                return Err(format!(
                    "unknown check kind `{kind}`, expected one of {}",
                    kinds.names().join(", ")
                ));
            }
        };
        // After the section: a misspelt `points` shows as the unknown key it is.
        let common: Common = common.try_into().map_err(|e| e.to_string())?;
        Ok(Check {
            points: common.points,
            limits: common.limits,
            section,
        })
    }
}

/// Where a key of a manifest was found.
#[derive(Clone, Copy, PartialEq)]
enum Place<'a> {
    /// The top of the manifest, outside every table.
    Top,
    /// A `[[check]]` table of this kind.
    Check(&'a str),
}

/// For each key of `table` that does not belong where it is (`place`), a sentence naming
/// where it does, if anywhere: the top of the manifest, `[limits]`, or the checks of some
/// kinds. Each key is tried, with its value, against every place that takes keys.
fn misplaced(table: &toml::Table, place: Place<'_>, kinds: &dyn Kinds) -> String {
    let single = |key: &str, value: &toml::Value| {
        let mut one = toml::Table::new();
        one.insert(key.into(), value.clone());
        one
    };
    // A place takes a key when reading the key alone there is not refused as unknown.
    let takes = |place: Place<'_>, key: &str, value: &toml::Value| -> bool {
        let unknown = format!("unknown field `{key}`");
        let refusal = match place {
            Place::Top => single(key, value)
                .try_into::<Raw>()
                .err()
                .map(|e| e.to_string()),
            Place::Check(kind) => {
                if ["kind", "points", "limits"].contains(&key) {
                    return true;
                }
                kinds.parse(kind, single(key, value)).and_then(Result::err)
            }
        };
        refusal.is_none_or(|refusal| !refusal.contains(&unknown))
    };
    let mut found = String::new();
    for (key, value) in table {
        if takes(place, key, value) || (place == Place::Top && key == "check") {
            continue;
        }
        if key == "hint" && place == Place::Top {
            found.push_str("\n`hint` became `hints`, a list of progressive hints: `hints = [\"a nudge\", \"a more concrete hint\"]`");
            continue;
        }
        let mut homes = Vec::new();
        if place != Place::Top && takes(Place::Top, key, value) {
            homes.push("at the top of the manifest, before the first `[[check]]`".to_string());
        }
        if single(key, value).try_into::<Limits>().is_ok() {
            homes.push(format!(
                "in `[limits]`, or in a check as `limits = {{ {key} = ... }}`"
            ));
        }
        let checks: Vec<String> = (kinds.names().into_iter())
            .filter(|kind| Place::Check(kind) != place && takes(Place::Check(kind), key, value))
            .map(|kind| format!("`kind = \"{kind}\"`"))
            .collect();
        if !checks.is_empty() {
            homes.push(format!("in a `[[check]]` with {}", checks.join(" or ")));
        }
        if !homes.is_empty() {
            found.push_str(&format!("\n`{key}` belongs {}", homes.join("; or ")));
        }
    }
    found
}

impl Manifest {
    pub(crate) fn parse(text: &str, kinds: &dyn Kinds) -> Result<Manifest, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let homes = toml::from_str::<toml::Table>(text)
                .map(|table| misplaced(&table, Place::Top, kinds))
                .unwrap_or_default();
            format!("{}{homes}", e.to_string().trim_end())
        })?;
        let line = |span: std::ops::Range<usize>| text[..span.start].matches('\n').count() + 1;
        let (mut files, mut globs) = (Vec::new(), Vec::new());
        for entry in raw.files {
            let at = line(entry.span());
            let entry = entry.into_inner();
            if is_glob(&entry) {
                globs.push((entry, at));
            } else {
                files.push(entry);
            }
        }
        let globs = Globs::new(
            globs,
            raw.max_files,
            raw.max_files_size.map(|size| size.as_u64()),
        )?;
        let mut checks = Vec::new();
        for (i, table) in raw.checks.into_iter().enumerate() {
            let line = text[..table.span().start].lines().count() + 1;
            let check = Check::parse(table.into_inner(), kinds)
                .map_err(|e| format!("check {} (line {line}): {e}", i + 1))?;
            checks.push(check);
        }
        Ok(Manifest {
            format_version: raw.format_version,
            title: raw.title,
            module: raw.module,
            topics: raw.topics,
            practises: raw.practises,
            files,
            globs,
            hints: raw.hints,
            starter_scores: raw.starter_scores,
            equivalent_mutants: raw.equivalent_mutants,
            limits: raw.limits,
            checks,
        })
    }

    /// Checks what serde cannot: ranges, paths and the files the checks rely on, and that
    /// `module` is one of the bank's `outline` (unless the outline itself did not load, which
    /// is a problem of its own).
    pub(crate) fn validate(
        &self,
        module_of_folder: Option<u8>,
        outline: Option<&Outline>,
        layout: &Layout<'_>,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        if self.format_version != FORMAT_VERSION {
            problems.push(format!(
                "`format-version` is {}, this pygrade reads version {FORMAT_VERSION}: upgrade pygrade or rewrite the manifest",
                self.format_version
            ));
        }
        if let Some(problem) = outline.and_then(|outline| outline.problem_with(self.module)) {
            problems.push(problem);
        } else if let Some(folder) = module_of_folder
            && folder != self.module
        {
            problems.push(format!(
                "`module` is {} but the exercise sits in the folder of module {folder}",
                self.module
            ));
        }
        if let Some(outline) = outline {
            problems.extend(
                self.practises
                    .iter()
                    .filter_map(|t| outline.topic_problem(t)),
            );
        }
        if self.title.trim().is_empty() {
            problems.push("`title` is empty".into());
        }
        if self.hints.is_empty() {
            problems.push(
                "`hints` is empty: give the learner a nudge, then a more concrete hint".into(),
            );
        }
        if self.hints.iter().any(|hint| hint.trim().is_empty()) {
            problems.push("`hints` has an empty hint".into());
        }
        if self
            .starter_scores
            .as_ref()
            .is_some_and(|why| why.trim().is_empty())
        {
            problems.push(
                "`starter-scores` is empty: say why the untouched starter earns points, or remove it"
                    .into(),
            );
        }
        if self.files.is_empty() && self.globs.is_empty() {
            problems.push("`files` is empty: name the learner-editable files".into());
        }
        problems.extend(self.globs.problems());
        for file in &self.files {
            if !is_plain_relative(file) {
                problems.push(format!("`files` entry {file:?} must be a relative path inside the exercise, without `..`"));
                continue;
            }
            for side in ["starter", "reference"] {
                if !(layout.has_file)(&Path::new(side).join(file)) {
                    problems.push(format!(
                        "`files` names {file:?} but {side}/{file} does not exist"
                    ));
                }
            }
        }
        problems.extend(self.limits.problems("[limits]"));
        if self.checks.is_empty() {
            problems.push("no `[[check]]` tables: an exercise needs at least one check".into());
        }
        for (i, check) in self.checks.iter().enumerate() {
            let at = format!("check {} ({})", i + 1, check.kind());
            if !(check.points > 0.0 && check.points.is_finite()) {
                problems.push(format!("{at}: `points` must be a positive number"));
            }
            problems.extend(check.limits.problems(&at));
            problems.extend(
                check
                    .section
                    .problems(layout)
                    .into_iter()
                    .map(|problem| format!("{at}: {problem}")),
            );
        }
        problems
    }
}

/// A path that stays inside the folder it is relative to.
pub(crate) fn is_plain_relative(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bank::outline::tests::ONE_MODULE;

    /// A stand-in for the check kinds: `quick` (10 s by default, with an optional `flag`) and
    /// `slow` (60 s, which runs alone).
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        #[serde(default)]
        flag: bool,
        #[serde(skip)]
        slow: bool,
    }

    impl Section for Probe {
        fn kind(&self) -> &'static str {
            if self.slow { "slow" } else { "quick" }
        }
        fn default_timeout(&self) -> Duration {
            Duration::from_secs(if self.slow { 60 } else { 10 })
        }
        fn runs_alone(&self) -> bool {
            self.slow
        }
        fn quality(&self) -> bool {
            false
        }
        fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
            let needs = Path::new("tests");
            (self.flag && !(exercise.has_dir)(needs))
                .then(|| "the exercise has no tests/ folder".to_string())
                .into_iter()
                .collect()
        }
        fn private_folders(&self) -> Vec<&str> {
            Vec::new()
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    pub(crate) struct ProbeKinds;

    impl Kinds for ProbeKinds {
        fn parse(
            &self,
            kind: &str,
            section: toml::Table,
        ) -> Option<Result<Box<dyn Section>, String>> {
            let slow = match kind {
                "quick" => false,
                "slow" => true,
                _ => return None,
            };
            Some(
                section
                    .try_into::<Probe>()
                    .map(|probe| Box::new(Probe { slow, ..probe }) as Box<dyn Section>)
                    .map_err(|e| e.to_string()),
            )
        }
        fn names(&self) -> Vec<&'static str> {
            vec!["quick", "slow"]
        }
    }

    const GOOD: &str = r#"
        format-version = 1
        title = "Word count"
        module = 1
        topics = ["dict"]
        files = ["word_count.py"]
        hints = ["Use a dict."]

        [[check]]
        kind = "quick"
        points = 6
        limits = { timeout = "3s", processes = 8 }
        flag = true

        [[check]]
        kind = "slow"
        points = 2
    "#;

    fn parse(text: &str) -> Result<Manifest, String> {
        Manifest::parse(text, &ProbeKinds)
    }

    fn validate(manifest: &Manifest, exists: bool) -> Vec<String> {
        let answer = move |_: &Path| exists;
        let layout = Layout {
            files: &manifest.files,
            has_file: &answer,
            has_dir: &answer,
            files_in: &|_| Vec::new(),
            read: &|_| None,
        };
        let outline = Outline::parse(ONE_MODULE).unwrap();
        manifest.validate(Some(1), Some(&outline), &layout)
    }

    #[test]
    fn a_complete_manifest_parses_with_defaults() {
        let m = parse(GOOD).unwrap();
        assert_eq!(m.checks.len(), 2);
        let quick = m.checks[0].limits(&m.limits);
        assert_eq!(quick.timeout, Some(Duration::from_secs(3)));
        assert_eq!(
            quick.cpu_time,
            Some(Duration::from_secs(3)),
            "CPU time follows the wall clock"
        );
        assert_eq!(quick.processes, Some(8));
        let slow = m.checks[1].limits(&m.limits);
        assert_eq!(
            slow.timeout,
            Some(Duration::from_secs(60)),
            "its kind's default"
        );
        assert_eq!(slow.memory, Some(1 << 30), "the memory of the whole tree");
        assert!(m.checks[1].section.runs_alone());
        assert!(validate(&m, true).is_empty());
    }

    #[test]
    fn a_checks_limits_win_over_the_exercises_which_win_over_the_defaults() {
        let text =
            format!("{GOOD}\n[limits]\nprocesses = 16\nmemory = \"768 MiB\"\ncpu-time = \"2s\"\n");
        let m = parse(&text).unwrap();
        let quick = m.checks[0].limits(&m.limits);
        assert_eq!(quick.processes, Some(8), "the check's own");
        assert_eq!(quick.memory, Some(768 << 20), "the exercise's");
        assert_eq!(quick.cpu_time, Some(Duration::from_secs(2)));
        assert_eq!(
            m.checks[1].limits(&m.limits).disk,
            Some(64 << 20),
            "the default"
        );
    }

    #[test]
    fn limits_too_low_to_run_python_are_problems() {
        let text = format!("{GOOD}\n[limits]\nprocesses = 1\nmemory = \"1 MiB\"\n");
        let problems = validate(&parse(&text).unwrap(), true);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("[limits]"), "{problems:?}");
        let typo = format!("{GOOD}\n[limits]\nproceses = 4\n");
        assert!(parse(&typo).unwrap_err().contains("proceses"));
    }

    #[test]
    fn a_misspelt_key_is_rejected_by_name_and_line() {
        let err = parse(&GOOD.replace("points = 2\n", "pionts = 2\n")).unwrap_err();
        assert!(err.contains("pionts") && err.contains("line 16"), "{err}");
        let err = parse(&GOOD.replace("flag = true", "flga = true")).unwrap_err();
        assert!(err.contains("flga") && err.contains("check 1"), "{err}");
    }

    #[test]
    fn an_unknown_check_kind_is_rejected() {
        let err = parse(&GOOD.replace("\"slow\"", "\"pyright\"")).unwrap_err();
        assert!(
            err.contains("pyright") && err.contains("quick, slow"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_are_each_reported() {
        let m = parse(&GOOD.replace("module = 1", "module = 12")).unwrap();
        let all = validate(&m, false).join("\n");
        assert!(
            all.contains("`module` is 12, which outline.toml does not declare: name one of its modules, 1 (Basics)"),
            "{all}"
        );
        assert!(all.contains("starter/word_count.py"), "{all}");
        assert!(
            all.contains("check 1 (quick): the exercise has no tests/ folder"),
            "{all}"
        );
    }

    #[test]
    fn a_starter_that_scores_says_why() {
        let with =
            |why: &str| GOOD.replace("hints =", &format!("starter-scores = {why:?}\nhints ="));
        let m = parse(&with("The starter works but is slow.")).unwrap();
        assert_eq!(
            m.starter_scores.as_deref(),
            Some("The starter works but is slow.")
        );
        assert!(validate(&m, true).is_empty());
        let problems = validate(&parse(&with(" ")).unwrap(), true);
        assert!(
            problems[0].contains("`starter-scores` is empty"),
            "{problems:?}"
        );
    }

    #[test]
    fn learner_files_must_stay_inside_the_exercise() {
        assert!(is_plain_relative("pkg/mod.py"));
        assert!(!is_plain_relative("../secret.py"));
        assert!(!is_plain_relative("/etc/passwd"));
        assert!(!is_plain_relative(""));
    }
}
