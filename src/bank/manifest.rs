//! `exercise.toml`: the manifest of one exercise, format version 1.
//!
//! Plain serde structs with kebab-case keys, defaults in one place, and unknown keys rejected
//! (a typo must fail `pygrade verify`, not be ignored). Checks are tagged by `kind`. What
//! serde cannot express (value ranges, files that must exist) is checked in [`Manifest::validate`].

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

pub(crate) const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Manifest {
    pub format_version: u32,
    pub title: String,
    pub module: u8,
    #[serde(default)]
    pub topics: Vec<String>,
    /// The learner-editable files: the only files ever taken from a submission.
    pub files: Vec<String>,
    pub hint: String,
    /// Limits for every check of the exercise; a check's own `limits` override them.
    #[serde(default)]
    pub limits: Limits,
    #[serde(rename = "check")]
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case",
    deny_unknown_fields
)]
pub(crate) enum Check {
    /// The exercise's trusted pytest tests; points shared by test weight.
    Pytest {
        points: f64,
        #[serde(default)]
        limits: Limits,
    },
    /// mypy over the learner's Python files.
    Mypy {
        points: f64,
        #[serde(default)]
        limits: Limits,
        /// `--strict` unless turned off.
        #[serde(default = "yes")]
        strict: bool,
        /// Further mypy flags, e.g. `["--disallow-any-expr"]`.
        #[serde(default)]
        flags: Vec<String>,
        /// Type-check the exercise's tests together with the learner's files, so that typing
        /// that is too loose (`Any`, lost signatures) shows where the tests use it.
        #[serde(default)]
        include_tests: bool,
        /// Whether `# type: ignore` and `# mypy: ignore-errors` may silence mypy in the
        /// learner's files; by default each one counts as an error.
        #[serde(default)]
        allow_ignores: bool,
    },
    /// Run a command per case and compare its stdout and exit code with the expected ones.
    Output {
        points: f64,
        /// Per case.
        #[serde(default)]
        limits: Limits,
        /// `python` as the first word means the grading interpreter.
        command: Vec<String>,
        #[serde(default = "default_cases")]
        cases: String,
        #[serde(default, rename = "match")]
        matching: Match,
    },
    /// The learner's function timed against the reference's, in one harness process.
    Timing {
        points: f64,
        #[serde(default)]
        limits: Limits,
        /// `module.callable` in the learner's files; the reference's namesake is its measure.
        function: String,
        /// `module.function(n, seed)` in a trusted file of the exercise: the call's arguments.
        inputs: String,
        /// Ratio mode: the size graded, against `max-ratio`.
        size: Option<u64>,
        max_ratio: Option<f64>,
        /// Growth mode: increasing sizes, against `max-exponent` or the reference's plus
        /// `exponent-margin`.
        growth: Option<Vec<u64>>,
        max_exponent: Option<f64>,
        exponent_margin: Option<f64>,
    },
    /// Peak memory allocated during one call of the learner's function.
    Memory {
        points: f64,
        #[serde(default)]
        limits: Limits,
        function: String,
        inputs: String,
        size: u64,
        /// Absolute budget for the peak.
        max_peak: Option<bytesize::ByteSize>,
        /// Budget relative to the reference's peak.
        max_ratio: Option<f64>,
    },
}

/// Limits on each process of a check, as a manifest writes them: each one left out takes the
/// exercise's `[limits]`, then pygrade's default (see `runner::limits`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Limits {
    /// Wall-clock time; past it, `timeout`.
    #[serde(default, with = "humantime_serde")]
    pub timeout: Option<Duration>,
    /// CPU time of the check's process tree; past it, `timeout` (CPU).
    #[serde(default, with = "humantime_serde")]
    pub cpu_time: Option<Duration>,
    /// Address space of each process; past it, `memory-limit`.
    pub memory: Option<bytesize::ByteSize>,
    /// Processes and threads alive at once; past it, `process-limit`.
    pub processes: Option<u32>,
    /// Bytes written into the check's folders; past it, `disk-limit`.
    pub disk: Option<bytesize::ByteSize>,
    /// Open files of each process.
    pub open_files: Option<u32>,
    /// stdout and stderr together; past it, `output-limit`.
    pub output: Option<bytesize::ByteSize>,
}

impl Limits {
    /// These limits, with what they leave out taken from `base`.
    fn or(&self, base: &Limits) -> Limits {
        Limits {
            timeout: self.timeout.or(base.timeout),
            cpu_time: self.cpu_time.or(base.cpu_time),
            memory: self.memory.or(base.memory),
            processes: self.processes.or(base.processes),
            disk: self.disk.or(base.disk),
            open_files: self.open_files.or(base.open_files),
            output: self.output.or(base.output),
        }
    }

    /// Every limit in force: these, then pygrade's defaults for a check of `kind`.
    /// A CPU time left out is the wall-clock time.
    fn resolve(&self, kind: &str) -> crate::runner::Limits {
        let defaults = crate::runner::Limits::defaults(kind);
        let timeout = self.timeout.unwrap_or(defaults.timeout);
        crate::runner::Limits {
            timeout,
            cpu_time: self.cpu_time.unwrap_or(timeout),
            memory: self.memory.map_or(defaults.memory, |b| b.as_u64()),
            processes: self.processes.unwrap_or(defaults.processes),
            disk: self.disk.map_or(defaults.disk, |b| b.as_u64()),
            open_files: self.open_files.unwrap_or(defaults.open_files),
            output: self.output.map_or(defaults.output, |b| b.as_u64()),
        }
    }

    /// What is wrong with these limits, if anything.
    fn problems(&self, at: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let mut low = |name: &str, value: Option<u64>, least: u64, unit: &str| {
            if value.is_some_and(|v| v < least) {
                problems.push(format!("{at}: `{name}` must be at least {least}{unit}"));
            }
        };
        let millis = |d: Option<Duration>| d.map(|d| d.as_millis() as u64);
        low("timeout", millis(self.timeout), 1, " ms");
        low("cpu-time", millis(self.cpu_time), 100, " ms");
        low(
            "memory",
            self.memory.map(|b| b.as_u64()),
            64 << 20,
            " bytes (64 MiB: Python needs that much to start)",
        );
        low(
            "processes",
            self.processes.map(u64::from),
            4,
            " (pytest and the sandbox need a few)",
        );
        low("open-files", self.open_files.map(u64::from), 32, "");
        low(
            "disk",
            self.disk.map(|b| b.as_u64()),
            1 << 20,
            " bytes (1 MiB)",
        );
        low(
            "output",
            self.output.map(|b| b.as_u64()),
            64 << 10,
            " bytes (64 KiB)",
        );
        problems
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Match {
    #[default]
    Exact,
    TrailingWhitespaceInsensitive,
}

fn yes() -> bool {
    true
}

fn default_cases() -> String {
    "cases".to_string()
}

impl Check {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Check::Pytest { .. } => "pytest",
            Check::Mypy { .. } => "mypy",
            Check::Output { .. } => "output",
            Check::Timing { .. } => "timing",
            Check::Memory { .. } => "memory",
        }
    }

    pub(crate) fn points(&self) -> f64 {
        match self {
            Check::Pytest { points, .. }
            | Check::Mypy { points, .. }
            | Check::Output { points, .. }
            | Check::Timing { points, .. }
            | Check::Memory { points, .. } => *points,
        }
    }

    /// The limits the check itself sets.
    fn own_limits(&self) -> &Limits {
        match self {
            Check::Pytest { limits, .. }
            | Check::Mypy { limits, .. }
            | Check::Output { limits, .. }
            | Check::Timing { limits, .. }
            | Check::Memory { limits, .. } => limits,
        }
    }

    /// Every limit on this check's processes: its own, then the exercise's, then the defaults.
    pub(crate) fn limits(&self, exercise: &Limits) -> crate::runner::Limits {
        self.own_limits().or(exercise).resolve(self.kind())
    }

    /// Timing checks run after all others, one at a time, so that no other check competes
    /// with them for the machine.
    pub(crate) fn is_timing(&self) -> bool {
        matches!(self, Check::Timing { .. })
    }
}

impl Manifest {
    pub(crate) fn parse(text: &str) -> Result<Manifest, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Checks what serde cannot: ranges, paths and the files the checks rely on.
    /// `has_file` answers whether a path relative to the exercise folder exists.
    pub(crate) fn validate(
        &self,
        module_of_folder: Option<u8>,
        has_file: &dyn Fn(&Path) -> bool,
        has_dir: &dyn Fn(&Path) -> bool,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        if self.format_version != FORMAT_VERSION {
            problems.push(format!(
                "`format-version` is {}, this pygrade reads version {FORMAT_VERSION}: upgrade pygrade or rewrite the manifest",
                self.format_version
            ));
        }
        if !(1..=10).contains(&self.module) {
            problems.push(format!(
                "`module` is {}, it must be a roadmap module from 1 to 10",
                self.module
            ));
        } else if let Some(folder) = module_of_folder
            && folder != self.module
        {
            problems.push(format!(
                "`module` is {} but the exercise sits in the folder of module {folder}",
                self.module
            ));
        }
        if self.title.trim().is_empty() {
            problems.push("`title` is empty".into());
        }
        if self.hint.trim().is_empty() {
            problems.push("`hint` is empty: give the learner a nudge".into());
        }
        if self.files.is_empty() {
            problems.push("`files` is empty: name the learner-editable files".into());
        }
        for file in &self.files {
            if !is_plain_relative(file) {
                problems.push(format!("`files` entry {file:?} must be a relative path inside the exercise, without `..`"));
                continue;
            }
            for side in ["starter", "reference"] {
                if !has_file(&Path::new(side).join(file)) {
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
            if !(check.points() > 0.0 && check.points().is_finite()) {
                problems.push(format!("{at}: `points` must be a positive number"));
            }
            problems.extend(check.own_limits().problems(&at));
            match check {
                Check::Pytest { .. } if !has_dir(Path::new("tests")) => {
                    problems.push(format!("{at}: the exercise has no tests/ folder"));
                }
                Check::Mypy { .. } if !self.files.iter().any(|f| f.ends_with(".py")) => {
                    problems.push(format!("{at}: none of `files` is a .py file to type-check"));
                }
                Check::Timing {
                    function,
                    inputs,
                    size,
                    max_ratio,
                    growth,
                    max_exponent,
                    exponent_margin,
                    ..
                } => {
                    self.check_measured(&at, function, inputs, has_file, &mut problems);
                    match (size, growth) {
                        (Some(_), None) if max_ratio.is_none_or(|r| r <= 0.0) => problems.push(
                            format!("{at}: ratio mode (`size`) needs a positive `max-ratio`"),
                        ),
                        (None, Some(sizes)) => {
                            if sizes.len() < 2
                                || sizes.windows(2).any(|w| w[0] == 0 || w[1] <= w[0])
                            {
                                problems.push(format!(
                                    "{at}: `growth` needs at least two increasing sizes"
                                ));
                            }
                            if max_exponent.is_none() == exponent_margin.is_none() {
                                problems.push(format!(
                                    "{at}: growth mode needs exactly one of `max-exponent` and `exponent-margin`"
                                ));
                            }
                        }
                        (Some(_), None) => {}
                        _ => problems.push(format!(
                            "{at}: give either `size` (ratio mode) or `growth` (growth mode)"
                        )),
                    }
                }
                Check::Memory {
                    function,
                    inputs,
                    max_peak,
                    max_ratio,
                    ..
                } => {
                    self.check_measured(&at, function, inputs, has_file, &mut problems);
                    if max_peak.is_none() && max_ratio.is_none() {
                        problems.push(format!(
                            "{at}: give a budget: `max-peak`, `max-ratio` or both"
                        ));
                    }
                }
                Check::Output { command, cases, .. } => {
                    if command.is_empty() {
                        problems.push(format!("{at}: `command` is empty"));
                    }
                    if !is_plain_relative(cases) || !has_dir(Path::new(cases)) {
                        problems.push(format!("{at}: the cases folder {cases:?} does not exist"));
                    }
                }
                _ => {}
            }
        }
        problems
    }
}

impl Manifest {
    /// `function` must name a learner file's module, and `inputs` a trusted module file.
    fn check_measured(
        &self,
        at: &str,
        function: &str,
        inputs: &str,
        has_file: &dyn Fn(&Path) -> bool,
        problems: &mut Vec<String>,
    ) {
        match module_file(function) {
            Some(file) if self.files.contains(&file) => {}
            _ => problems.push(format!(
                "{at}: `function` {function:?} must be `module.callable` with module.py one of `files`"
            )),
        }
        match module_file(inputs) {
            Some(file) if has_file(Path::new(&file)) => {}
            _ => problems.push(format!(
                "{at}: `inputs` {inputs:?} must be `module.function` with module.py a file of the exercise"
            )),
        }
    }
}

/// `pkg.module.callable` -> `pkg/module.py`.
pub(crate) fn module_file(dotted: &str) -> Option<String> {
    let (module, name) = dotted.rsplit_once('.')?;
    (!module.is_empty() && !name.is_empty()).then(|| format!("{}.py", module.replace('.', "/")))
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
mod tests {
    use super::*;

    const GOOD: &str = r#"
        format-version = 1
        title = "Word count"
        module = 1
        topics = ["dict"]
        files = ["word_count.py"]
        hint = "Use a dict."

        [[check]]
        kind = "pytest"
        points = 6
        limits = { timeout = "3s", processes = 8 }

        [[check]]
        kind = "mypy"
        points = 2
        include-tests = true

        [[check]]
        kind = "output"
        points = 2
        command = ["python", "word_count.py"]
        match = "trailing-whitespace-insensitive"
    "#;

    fn everything_exists(_: &Path) -> bool {
        true
    }

    #[test]
    fn a_complete_manifest_parses_with_defaults() {
        let m = Manifest::parse(GOOD).unwrap();
        assert_eq!(m.checks.len(), 3);
        let pytest = m.checks[0].limits(&m.limits);
        assert_eq!(pytest.timeout, Duration::from_secs(3));
        assert_eq!(
            pytest.cpu_time,
            Duration::from_secs(3),
            "CPU time follows the wall clock"
        );
        assert_eq!(pytest.processes, 8);
        let mypy = m.checks[1].limits(&m.limits);
        assert_eq!(mypy.timeout, Duration::from_secs(60));
        assert_eq!(mypy.memory, crate::runner::Limits::defaults("mypy").memory);
        assert!(matches!(
            m.checks[1],
            Check::Mypy {
                strict: true,
                include_tests: true,
                ..
            }
        ));
        match &m.checks[2] {
            Check::Output {
                cases, matching, ..
            } => {
                assert_eq!(cases, "cases");
                assert_eq!(*matching, Match::TrailingWhitespaceInsensitive);
            }
            other => panic!("expected an output check, got {other:?}"),
        }
        assert!(
            m.validate(Some(1), &everything_exists, &everything_exists)
                .is_empty()
        );
    }

    #[test]
    fn a_checks_limits_win_over_the_exercises_which_win_over_the_defaults() {
        let text =
            format!("{GOOD}\n[limits]\nprocesses = 16\nmemory = \"1 GiB\"\ncpu-time = \"2s\"\n");
        let m = Manifest::parse(&text).unwrap();
        let pytest = m.checks[0].limits(&m.limits);
        assert_eq!(pytest.processes, 8, "the check's own");
        assert_eq!(pytest.memory, 1 << 30, "the exercise's");
        assert_eq!(pytest.cpu_time, Duration::from_secs(2));
        let output = m.checks[2].limits(&m.limits);
        assert_eq!(
            output.timeout,
            Duration::from_secs(5),
            "the default for output checks"
        );
        assert_eq!(output.disk, crate::runner::Limits::defaults("output").disk);
    }

    #[test]
    fn limits_too_low_to_run_python_are_problems() {
        let text = format!("{GOOD}\n[limits]\nprocesses = 1\nmemory = \"1 MiB\"\n");
        let m = Manifest::parse(&text).unwrap();
        let problems = m.validate(Some(1), &everything_exists, &everything_exists);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("[limits]"), "{problems:?}");
        let typo = format!("{GOOD}\n[limits]\nproceses = 4\n");
        assert!(Manifest::parse(&typo).unwrap_err().contains("proceses"));
    }

    #[test]
    fn a_misspelt_key_is_rejected_by_name() {
        let err = Manifest::parse(&GOOD.replace("points = 2\n", "pionts = 2\n")).unwrap_err();
        assert!(err.contains("pionts"), "{err}");
    }

    #[test]
    fn an_unknown_check_kind_is_rejected() {
        let err = Manifest::parse(&GOOD.replace("\"mypy\"", "\"pyright\"")).unwrap_err();
        assert!(err.contains("pyright"), "{err}");
    }

    #[test]
    fn bad_values_are_each_reported() {
        let m = Manifest::parse(&GOOD.replace("module = 1", "module = 12")).unwrap();
        let problems = m.validate(None, &|_| false, &|_| false);
        let all = problems.join("\n");
        assert!(all.contains("module"), "{all}");
        assert!(all.contains("starter/word_count.py"), "{all}");
        assert!(all.contains("tests/ folder"), "{all}");
        assert!(all.contains("cases folder"), "{all}");
    }

    #[test]
    fn learner_files_must_stay_inside_the_exercise() {
        assert!(is_plain_relative("pkg/mod.py"));
        assert!(!is_plain_relative("../secret.py"));
        assert!(!is_plain_relative("/etc/passwd"));
        assert!(!is_plain_relative(""));
    }
}
