//! Report: one model of a run, collected from its events, and the emitters that render it.
//!
//! [`Collector`] listens to a run and builds the [`Report`]; each format is a small type behind
//! [`Emitter`], in its own file; [`progress`] shows a run as it happens. Colour is decided
//! once, by the caller, before any emitter runs.

mod csv;
pub(crate) mod exercism;
mod github;
pub(crate) mod gradebook;
mod gradescope;
pub(crate) mod json;
mod junit;
mod markdown;
pub(crate) mod progress;
mod terminal;

use std::io::Write;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::engine::{Event, Graded, Listener};
use crate::grade::{self, CheckResult, NotGraded, Status};
use crate::toolchain::Versions;

pub(crate) use self::csv::Csv;
pub(crate) use exercism::Exercism;
pub(crate) use github::Github;
pub(crate) use gradescope::Gradescope;
pub(crate) use json::Json;
pub(crate) use junit::Junit;
pub(crate) use markdown::Markdown;
pub(crate) use terminal::Terminal;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExerciseReport {
    pub id: String,
    pub module: u8,
    /// The title the bank's outline gives `module`.
    pub module_title: String,
    pub title: String,
    pub status: Status,
    /// False while the learner's files are still the starter files as handed out.
    pub started: bool,
    pub score: f64,
    pub max_score: f64,
    pub checks: Vec<CheckResult>,
    /// Files in the learner's folder that no check saw, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_graded: Vec<NotGraded>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Summary {
    pub score: f64,
    pub max_score: f64,
    pub exercises: usize,
    pub passed: usize,
    /// Graded, and not passed for a reason other than an error.
    pub failed: usize,
    /// Not started by the learner: no grade.
    pub not_started: usize,
    /// The learner's code could not be evaluated, or was refused.
    pub errored: usize,
    /// Graded, with a timing verdict the machine was too noisy to give: worth grading again.
    pub inconclusive: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Tools {
    pub pygrade: String,
    pub python: String,
    pub pytest: Option<String>,
    pub mypy: Option<String>,
    /// The linter (`lint` checks), where the interpreter has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ruff: Option<String>,
    /// What measured the coverage of learner tests (`learner-tests` checks), where present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
    /// How learner code was contained: `builtin` (pygrade's own sandbox), `bwrap`, or
    /// `none (why)`.
    pub sandbox: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    /// Whose work it is, when a batch graded many: the learner's name.
    pub learner: Option<String>,
    pub tools: Tools,
    pub summary: Summary,
    pub exercises: Vec<ExerciseReport>,
}

impl Tools {
    /// The tools a run grades with: computed once per run and handed to its report.
    pub(crate) fn new(versions: &Versions, sandbox: String) -> Tools {
        Tools {
            pygrade: env!("CARGO_PKG_VERSION").to_string(),
            python: versions.python.clone(),
            pytest: versions.pytest.clone(),
            mypy: versions.mypy.clone(),
            ruff: versions.ruff.clone(),
            coverage: versions.coverage.clone(),
            sandbox,
        }
    }

    /// Whether learner code ran in a sandbox; a report that says so says nothing more of it.
    pub(crate) fn sandboxed(&self) -> bool {
        matches!(self.sandbox.as_str(), "builtin" | "bwrap")
    }
}

impl ExerciseReport {
    pub(crate) fn new(graded: &Graded<'_>) -> ExerciseReport {
        let exercise = graded.unit.exercise;
        let (score, max_score) = graded.score();
        ExerciseReport {
            id: exercise.id.clone(),
            module: exercise.manifest.module,
            module_title: exercise.module_title.clone(),
            title: exercise.manifest.title.clone(),
            status: graded.status(),
            started: graded.started,
            score,
            max_score,
            checks: graded.checks.clone(),
            not_graded: graded.not_graded.clone(),
        }
    }
}

impl Report {
    /// The report of `exercises`, totalled.
    pub(crate) fn new(tools: Tools, exercises: Vec<ExerciseReport>) -> Report {
        let count = |f: &dyn Fn(Status) -> bool| exercises.iter().filter(|e| f(e.status)).count();
        let summary = Summary {
            score: grade::round2(exercises.iter().map(|e| e.score).sum()),
            max_score: grade::round2(exercises.iter().map(|e| e.max_score).sum()),
            exercises: exercises.len(),
            passed: count(&|s| s == Status::Pass),
            failed: count(&|s| {
                !matches!(
                    s,
                    Status::Pass
                        | Status::Error
                        | Status::Rejected
                        | Status::NotStarted
                        | Status::Inconclusive
                )
            }),
            not_started: count(&|s| s == Status::NotStarted),
            errored: count(&|s| matches!(s, Status::Error | Status::Rejected)),
            inconclusive: count(&|s| s == Status::Inconclusive),
        };
        Report {
            learner: None,
            tools,
            summary,
            exercises,
        }
    }

    pub(crate) fn all_passed(&self) -> bool {
        self.exercises.iter().all(|e| e.status == Status::Pass)
    }
}

/// Collects a run's graded exercises into a report, in the run's plan order.
#[derive(Default)]
pub(crate) struct Collector {
    graded: Vec<(usize, ExerciseReport)>,
}

impl Collector {
    pub(crate) fn into_report(mut self, tools: Tools) -> Report {
        self.graded.sort_by_key(|(seq, _)| *seq);
        Report::new(tools, self.graded.into_iter().map(|(_, e)| e).collect())
    }
}

impl Listener for Collector {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        if let Event::ExerciseGraded { graded } = event {
            self.graded
                .push((graded.unit.seq, ExerciseReport::new(graded)));
        }
        Ok(())
    }
}

/// A report format.
pub(crate) trait Emitter {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()>;
}

#[cfg(test)]
pub(crate) mod sample {
    //! A report with one of everything, shared by the emitters' tests.
    use super::*;
    use crate::grade::{Diagnostic, TestResult};

    pub(crate) fn report() -> Report {
        let mut failing = TestResult::new("counts are case insensitive", Status::Fail);
        failing.message = Some("AssertionError: assert {'A': 1} == {'a': 1}".into());
        failing.location = Some("tests/test_word_count.py:12".into());
        failing.weight = 2.0;
        let mut pytest = CheckResult::from_tests(
            "pytest",
            Status::Fail,
            6.0,
            vec![TestResult::new("counts words", Status::Pass), failing],
        );
        pytest.message = Some("2 of 4 tests did not pass".into());
        pytest.hidden = Some(crate::grade::HiddenTally {
            passed: 1,
            total: 2,
        });
        let mut mypy = CheckResult::whole("mypy", Status::Fail, 2.0).with_message("1 type error");
        mypy.diagnostics.push(Diagnostic {
            file: "word_count.py".into(),
            line: 3,
            column: Some(12),
            severity: "error".into(),
            code: Some("return-value".into()),
            message: "Incompatible return value type (got \"int\", expected \"str\")".into(),
            hint: None,
        });
        let mut case = TestResult::new("ties", Status::Fail);
        case.message = Some("the output differs from the expected output".into());
        case.diff = Some("--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n a 2\n-b 1\n+b 1 \n".into());
        let output = CheckResult::from_tests("output", Status::Fail, 2.0, vec![case])
            .with_message("1 of 1 cases do not match");
        let mut timing = CheckResult::whole("timing", Status::Fail, 3.0)
            .with_message("time grows like n^1.98 (±0.02; the reference's n^1.01; budget n^1.40)");
        timing.measurement = Some(crate::grade::Measurement::Growth {
            sizes: vec![2000, 4000, 8000],
            exponent: 1.98,
            uncertainty: 0.02,
            reference_exponent: 1.01,
            max_exponent: 1.4,
            rounds: 15,
            stopped_at: None,
            lower_bound: false,
        });
        let crash = CheckResult::whole("pytest", Status::Error, 4.0)
            .with_message("crashed with SIGSEGV (segmentation fault)");
        Report {
            learner: None,
            tools: Tools {
                pygrade: "0.0.0".into(),
                python: "3.11.7".into(),
                pytest: Some("9.2.0".into()),
                mypy: Some("2.4.1".into()),
                ruff: None,
                coverage: None,
                sandbox: "bwrap".into(),
            },
            summary: Summary {
                score: 3.0,
                max_score: 19.0,
                exercises: 3,
                passed: 0,
                failed: 1,
                errored: 1,
                not_started: 1,
                inconclusive: 0,
            },
            exercises: vec![
                ExerciseReport {
                    id: "01-foundations/01-word-count".into(),
                    module: 1,
                    module_title: "Python Foundations (Basics)".into(),
                    title: "Word count".into(),
                    status: Status::Fail,
                    started: true,
                    score: 3.0,
                    max_score: 13.0,
                    checks: vec![pytest, mypy, output, timing],
                    not_graded: vec![crate::grade::NotGraded {
                        file: "stopwords.txt".into(),
                        reason: "not one of the files this exercise grades (word_count.py): no check sees it".into(),
                    }],
                },
                ExerciseReport {
                    id: "02-oop/01-money".into(),
                    module: 2,
                    module_title: "Object-Oriented Python".into(),
                    title: "Money".into(),
                    status: Status::Error,
                    started: true,
                    score: 0.0,
                    max_score: 4.0,
                    checks: vec![crash],
                    not_graded: Vec::new(),
                },
                ExerciseReport {
                    id: "03-exceptions-quality/01-config-loader".into(),
                    module: 3,
                    module_title: "Exception Handling & Code Quality".into(),
                    title: "Config loader".into(),
                    status: Status::NotStarted,
                    started: false,
                    score: 0.0,
                    max_score: 2.0,
                    checks: vec![
                        CheckResult::whole("mypy", Status::NotStarted, 2.0)
                            .with_message("not started: the files are still the starter's"),
                    ],
                    not_graded: Vec::new(),
                },
            ],
        }
    }

    /// Learner code that cannot load: a syntax error every check runs into, and an import
    /// error that mypy also finds, beside a type error of its own.
    pub(crate) fn cannot_load() -> Report {
        let traceback = "  File \"word_count.py\", line 51\n    def most_common_word(text: str) -> str\n                                          ^\nSyntaxError: expected ':'";
        let mut pytest = CheckResult::whole("pytest", Status::Error, 6.0).with_message(format!(
            "the tests could not load your code because of a syntax error:\n{traceback}"
        ));
        pytest.tests = ["counts each word", "counts are case insensitive"]
            .map(|name| TestResult::new(name, Status::NotRun))
            .into();
        let mut mypy = CheckResult::whole("mypy", Status::Error, 2.0)
            .with_message("mypy could not read your code: it has a syntax error");
        mypy.diagnostics.push(Diagnostic {
            file: "word_count.py".into(),
            line: 51,
            column: Some(40),
            severity: "error".into(),
            code: Some("syntax".into()),
            message: "Expected `:`, found newline".into(),
            hint: None,
        });
        let cases = ["default", "ties"].map(|name| {
            let mut case = TestResult::new(name, Status::Fail);
            case.message = Some("the output differs from the expected output".into());
            case.diff = Some("--- expected\n+++ actual\n@@ -1 +0,0 @@\n-a 2\n".into());
            case.output = format!("{traceback}\n");
            case
        });
        let output = CheckResult::from_tests("output", Status::Fail, 2.0, cases.into())
            .with_message("2 of 2 cases did not pass");
        let mut measured = TestResult::new("measured run", Status::Error);
        measured.output = format!("Traceback (most recent call last):\n{traceback}\n");
        let mut timing = CheckResult::whole("timing", Status::Error, 3.0)
            .with_message("your code raised while being measured: SyntaxError: expected ':'");
        timing.tests.push(measured);

        let missing = "ModuleNotFoundError: No module named 'money_helpers'";
        let mut imports = CheckResult::whole("pytest", Status::Error, 4.0).with_message(format!(
            "the tests could not load your code because of an import error:\n{missing}"
        ));
        imports
            .tests
            .push(TestResult::new("adds money", Status::NotRun));
        let mut typed = CheckResult::whole("mypy", Status::Fail, 2.0).with_message("2 type errors");
        for (line, code, message) in [
            (
                1,
                "import-not-found",
                "Cannot find implementation or library stub for module named \"money_helpers\"",
            ),
            (
                9,
                "return-value",
                "Incompatible return value type (got \"float\", expected \"Money\")",
            ),
        ] {
            typed.diagnostics.push(Diagnostic {
                file: "money.py".into(),
                line,
                column: Some(1),
                severity: "error".into(),
                code: Some(code.into()),
                message: message.into(),
                hint: None,
            });
        }
        let exercise = |id: &str, title: &str, checks: Vec<CheckResult>| ExerciseReport {
            id: id.into(),
            module: if id.starts_with("01") { 1 } else { 2 },
            module_title: if id.starts_with("01") {
                "Python Foundations (Basics)".into()
            } else {
                "Object-Oriented Python".into()
            },
            title: title.into(),
            status: Status::Error,
            started: true,
            score: 0.0,
            max_score: checks.iter().map(|c| c.max_score).sum(),
            checks,
            not_graded: Vec::new(),
        };
        Report::new(
            report().tools,
            vec![
                exercise(
                    "01-foundations/01-word-count",
                    "Word count",
                    vec![pytest, mypy, output, timing],
                ),
                exercise("02-oop/01-money", "Money", vec![imports, typed]),
            ],
        )
    }
}
