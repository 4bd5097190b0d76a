//! The `learner-tests` check: the learner writes the tests. They run against the exercise's
//! code under test (`module`, a trusted file the learner is handed), where every one must
//! pass, and against each faulty variant of it (the module with one edit the manifest gives,
//! never handed out), where at least one must fail: a variant no test fails is a bug the
//! tests let through. The
//! branch coverage they reach on the code under test is measured against the exercise's
//! budget.
//!
//! Tests that told the versions apart by reading the code rather than running it would catch
//! every variant without testing anything, so they are refused in two ways: the learner's test
//! files may not reach for code or files (`pygrade_graders.constraints`' `introspection`, and
//! the modules and calls that read code), and the tests must also pass against the code under
//! test as `ast.unparse` writes it out again: the same behaviour in other text, where a test
//! of how the file is written fails. The variants are laid as `ast.unparse` writes them too,
//! so that what tells one apart is its bug, not its comments or layout.

use std::ffi::OsString;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::constraints::{self, Reading};
use super::ctx::{Ctx, write_file};
use super::kind::Kind;
use super::pytest::{RunEvents, pytest_args};
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::Layout;
use crate::contain::Exit;
use crate::grade::{CheckResult, Status, TestResult};

const NAME: &str = "learner-tests";

/// `kind = "learner-tests"`: the learner's tests against the code under test and its variants.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct LearnerTests {
    /// The learner's test files, among `files`.
    tests: Vec<String>,
    /// The code under test: a file of the exercise, handed out with it.
    module: String,
    /// The faulty variants of `module`, each a `[[check.variant]]`.
    #[serde(rename = "variant")]
    variants: Vec<Variant>,
    /// The share of the code under test's branches the tests must reach, in percent.
    min_branch_coverage: Option<f64>,
}

/// A faulty variant of the code under test: the module with one edit.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Variant {
    /// How reports name it: "catches NAME".
    name: String,
    /// What is wrong with it, as the learner reads it when no test catches it.
    bug: String,
    /// Text that occurs exactly once in the module ...
    replace: String,
    /// ... and what it becomes in this variant.
    with: String,
}

impl Variant {
    /// The module's text with this variant's edit, or why the edit does not apply.
    fn apply(&self, module: &str) -> Result<String, String> {
        match module.matches(&self.replace).count() {
            1 => Ok(module.replacen(&self.replace, &self.with, 1)),
            0 => Err(format!(
                "variant {:?}: `replace` is not in the module",
                self.name
            )),
            n => Err(format!(
                "variant {:?}: `replace` is in the module {n} times: make it name one place",
                self.name
            )),
        }
    }
}

/// What learner tests may not name: the modules and calls that read code or files.
const GUARD: &[(&str, &str)] = &[
    ("forbid", "introspection"),
    ("forbid-import", "inspect"),
    ("forbid-import", "dis"),
    ("forbid-import", "marshal"),
    ("forbid-import", "importlib"),
    ("forbid-import", "hashlib"),
    ("forbid-import", "zlib"),
    ("forbid-import", "ast"),
    ("forbid-import", "tokenize"),
    ("forbid-import", "linecache"),
    ("forbid-import", "coverage"),
    ("forbid-import", "subprocess"),
    ("forbid-call", "open"),
    ("forbid-call", "io.open"),
    ("forbid-call", "compile"),
    ("forbid-call", "__import__"),
    ("forbid-call", "vars"),
    ("forbid-call", "globals"),
    ("forbid", "eval"),
    ("forbid", "exec"),
];

/// Writes code out again: `ast.unparse` of its tree, the same behaviour in other text (no
/// comments, other quotes and spacing). Its arguments are pairs of files: from, to.
const REWRITE: &str = "import ast, sys\n\
    for i in range(1, len(sys.argv), 2):\n    \
    source = open(sys.argv[i], encoding='utf-8').read()\n    \
    open(sys.argv[i + 1], 'w', encoding='utf-8').write(ast.unparse(ast.parse(source)) + '\\n')\n";

impl Kind for LearnerTests {
    const NAME: &'static str = NAME;
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        if self.tests.is_empty() {
            problems.push("`tests` is empty: name the learner's test files".into());
        }
        for test in &self.tests {
            let named = Path::new(test)
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("test_") && n.ends_with(".py"));
            if !exercise.files.contains(test) || !named {
                problems.push(format!(
                    "`tests` names {test:?}: each must be one of `files`, named test_*.py"
                ));
            }
        }
        if !self.module.ends_with(".py") || !(exercise.has_file)(Path::new(&self.module)) {
            problems.push(format!(
                "`module` {:?} must be a .py file of the exercise (the code under test)",
                self.module
            ));
        }
        if exercise.files.contains(&self.module) {
            problems.push(format!(
                "`module` {:?} is one of `files`: the code under test is the exercise's, not the learner's",
                self.module
            ));
        }
        if self.variants.is_empty() {
            problems.push(
                "no `[[check.variant]]`: give at least one faulty variant of the module".into(),
            );
        }
        let module = (exercise.read)(Path::new(&self.module))
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let mut names = std::collections::BTreeSet::new();
        for variant in &self.variants {
            if !names.insert(&variant.name) || variant.name.trim().is_empty() {
                problems.push(format!(
                    "variant {:?}: each variant needs a name of its own",
                    variant.name
                ));
            }
            if variant.bug.trim().is_empty() {
                problems.push(format!(
                    "variant {:?}: `bug` is empty: say what is wrong with it",
                    variant.name
                ));
            }
            if variant.replace == variant.with {
                problems.push(format!(
                    "variant {:?}: `with` is `replace` again, so it is the correct code",
                    variant.name
                ));
            }
            if let Some(Err(why)) = module.as_deref().map(|m| variant.apply(m)) {
                problems.push(why);
            }
        }
        if self
            .min_branch_coverage
            .is_some_and(|c| !(0.0..=100.0).contains(&c))
        {
            problems.push("`min-branch-coverage` must be a percentage, 0 to 100".into());
        }
        problems
    }

    fn handed_out(&self) -> Vec<&str> {
        vec![&self.module]
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        if self.min_branch_coverage.is_some() && ctx.toolchain.versions.coverage.is_none() {
            bail!(
                "this check measures coverage, which {} cannot: install coverage=={} there, or grade with pygrade's own environment (no --python)",
                ctx.toolchain.python.display(),
                crate::toolchain::pinned("coverage").unwrap_or("?")
            );
        }
        if let Some(refused) = self.guard(ctx).await? {
            return Ok(refused);
        }
        let mut tests = Vec::new();

        // Against the code under test, as written and as written out again; and the faulty
        // variants, written out as the correct code was, so that what tells one apart is its
        // bug, not its layout (all written out by one process).
        let reference = self.tests_against(ctx, None, true).await?;
        let correct = std::fs::read(ctx.work.join(&self.module))?;
        let correct_text = String::from_utf8_lossy(&correct).into_owned();
        let mut codes = vec![correct];
        for variant in &self.variants {
            let faulty = variant.apply(&correct_text).map_err(anyhow::Error::msg)?;
            codes.push(faulty.into_bytes());
        }
        let mut codes = self.rewrite(ctx, &codes).await?.into_iter();
        let rewritten = {
            let fresh = ctx.in_fresh_folder()?;
            let code = codes.next().expect("the correct code, written out");
            self.tests_against(&fresh, Some(&code), false).await?
        };
        if let (Run::Ended(status, why), _) | (_, Run::Ended(status, why)) =
            (&reference, &rewritten)
        {
            return Ok(CheckResult::whole(NAME, *status, ctx.points)
                .with_message(format!("your tests {why}")));
        }
        let gate = gate_test(&self.module, &reference, &rewritten);
        let gate_passed = gate.status == Status::Pass;
        tests.push(gate);

        // Against each faulty variant.
        for (variant, code) in self.variants.iter().zip(codes) {
            let mut test = TestResult::new(format!("catches {}", variant.name), Status::NotRun);
            if !gate_passed {
                test.message =
                    Some("not tried: your tests must first pass against the correct code".into());
                tests.push(test);
                continue;
            }
            let fresh = ctx.in_fresh_folder()?;
            match self.tests_against(&fresh, Some(&code), false).await? {
                Run::Tests { failing, .. } if failing.is_empty() => {
                    test.status = Status::Fail;
                    test.message = Some(format!(
                        "every test passed against a version with this bug: {}",
                        variant.bug.trim()
                    ));
                }
                Run::Tests { failing, .. } => {
                    test.status = Status::Pass;
                    test.message = Some(format!("caught by {}", failing.join(", ")));
                }
                // A run that hung or crashed did not pass either: a CI would have stopped it.
                Run::Ended(_, why) => {
                    test.status = Status::Pass;
                    test.message = Some(format!("caught: your tests {why}"));
                }
            }
            tests.push(test);
        }

        if let Some(budget) = self.min_branch_coverage {
            tests.push(coverage_test(&self.module, budget, gate_passed, &reference));
        }
        let caught = tests
            .iter()
            .filter(|t| t.name.starts_with("catches "))
            .count();
        let missed = (tests.iter())
            .filter(|t| t.name.starts_with("catches ") && t.status == Status::Fail)
            .count();
        let failed = tests.iter().filter(|t| t.status != Status::Pass).count();
        let status = if failed == 0 {
            Status::Pass
        } else {
            Status::Fail
        };
        let message = if !gate_passed {
            "your tests fail against the correct code".to_string()
        } else {
            format!(
                "{} of {caught} faulty versions caught{}",
                caught - missed,
                match tests.last() {
                    Some(t) if t.name.starts_with("branch coverage") =>
                        format!(", {}", t.message.as_deref().unwrap_or_default()),
                    _ => String::new(),
                }
            )
        };
        Ok(CheckResult::from_tests(NAME, status, ctx.points, tests).with_message(message))
    }
}

/// How one run of the learner's tests went.
enum Run {
    /// The tests ran: the names of those that did not pass, and the coverage when measured.
    Tests {
        failing: Vec<String>,
        messages: Vec<String>,
        coverage: Option<Coverage>,
    },
    /// The run ended without results worth grading: its status, and why, as the end of a
    /// sentence whose subject is "your tests".
    Ended(Status, String),
}

#[derive(Debug, Deserialize)]
struct Coverage {
    num_branches: u64,
    covered_branches: u64,
    percent_covered: f64,
    /// Lines no test ran (from the file's entry, not the totals', which only count them).
    #[serde(skip)]
    missing_lines: Vec<u64>,
}

impl LearnerTests {
    /// Refuses test files that reach for code or files: a check result when it does.
    async fn guard(&self, ctx: &Ctx<'_>) -> Result<Option<CheckResult>> {
        let files: Vec<&String> = self.tests.iter().collect();
        let rules: Vec<(&str, String)> = GUARD.iter().map(|(k, t)| (*k, t.to_string())).collect();
        let found = match constraints::read(ctx, &files, &rules).await? {
            Reading::Found(found) => found,
            Reading::Unreadable(why) => {
                return Ok(Some(
                    CheckResult::whole(NAME, Status::Error, ctx.points)
                        .with_message(format!("could not read your tests: {why}")),
                ));
            }
            Reading::Stopped(status, why) => {
                return Ok(Some(
                    CheckResult::whole(NAME, status, ctx.points).with_message(why),
                ));
            }
        };
        let places: Vec<String> = (rules.iter().zip(&found))
            .flat_map(|((_, target), found)| {
                found
                    .iter()
                    .map(move |f| format!("{} at {}:{}", target, f.file, f.line))
            })
            .collect();
        if places.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            CheckResult::whole(NAME, Status::Rejected, ctx.points).with_message(format!(
                "rejected: your tests read code or files instead of calling the code under test ({}); test it by what it does",
                places.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            )),
        ))
    }

    /// Each of `codes` (the code under test and its variants) as `ast.unparse` writes it out.
    async fn rewrite(&self, ctx: &Ctx<'_>, codes: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
        let mut args: Vec<OsString> = vec!["-B".into(), "-c".into(), REWRITE.into()];
        let mut written = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let from = ctx.own.join(format!("unwritten-{i}.py"));
            let to = ctx.own.join(format!("rewritten-{i}.py"));
            std::fs::write(&from, code)?;
            args.extend([from.into(), to.clone().into()]);
            written.push(to);
        }
        let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
        // Trusted code over the exercise's own file.
        spawn.sandboxed = false;
        let finished = ctx.run(spawn).await?;
        if finished.exit != Exit::Code(0) {
            bail!(
                "could not write out {} again: {}",
                self.module,
                finished.stderr.text().trim()
            );
        }
        (written.iter()).map(|to| Ok(std::fs::read(to)?)).collect()
    }

    /// Runs the learner's tests in `ctx` with the code under test replaced by `code` (or as
    /// the exercise has it), measuring branch coverage when `measure`.
    async fn tests_against(
        &self,
        ctx: &Ctx<'_>,
        code: Option<&[u8]>,
        measure: bool,
    ) -> Result<Run> {
        let module = ctx.work.join(&self.module);
        if let Some(code) = code {
            write_file(&module, code)?;
        }
        let measure = measure && self.min_branch_coverage.is_some();
        let data = ctx.own.join("tmp").join(".coverage");
        let mut args = pytest_args(ctx, &ctx.work, &[])?;
        args.extend(self.tests.iter().map(|t| ctx.work.join(t).into()));
        if measure {
            // `python -B -m pytest ...` becomes `python -B -m coverage run ... -m pytest ...`.
            let mut wrapped: Vec<OsString> = ["-B", "-m", "coverage", "run", "--branch"]
                .map(OsString::from)
                .to_vec();
            wrapped.push(format!("--data-file={}", data.display()).into());
            wrapped.push(format!("--include={}", module.display()).into());
            wrapped.push("-m".into());
            wrapped.extend(args.drain(2..));
            args = wrapped;
        }
        let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
        spawn.channel = true;
        // Forked from a warm pytest worker, as the pytest check's runs are (the run under
        // coverage starts afresh: a warm worker only runs `-B -m pytest`).
        spawn.warm = true;
        let finished = ctx.run(spawn).await?;
        if let Some(status) = abnormal_status(finished.exit) {
            return Ok(Run::Ended(
                status,
                describe_exit(finished.exit, &ctx.limits),
            ));
        }
        let events = RunEvents::read(&finished)?;
        if let Some(what) = events.forged {
            return Ok(Run::Ended(
                Status::Rejected,
                format!(
                    "wrote to pygrade's results channel ({what}): results from such a run cannot be trusted"
                ),
            ));
        }
        if let Some(done) = events.tampered.describe() {
            return Ok(Run::Ended(
                Status::Rejected,
                format!("{done}: results from such a run cannot be trusted"),
            ));
        }
        if let Some(error) = events.collect_errors.first() {
            return Ok(Run::Ended(
                Status::Error,
                format!(
                    "could not be loaded: {}",
                    ctx.relative(error.message.trim())
                ),
            ));
        }
        let collected = events.collected.clone().unwrap_or_default();
        if !events.done || collected.is_empty() {
            let why = if collected.is_empty() {
                "found no test: write functions named test_... in your test files".to_string()
            } else {
                format!(
                    "stopped before the end: {}",
                    ctx.relative(finished.stderr.text().trim())
                )
            };
            return Ok(Run::Ended(Status::Error, why));
        }
        let mut failing = Vec::new();
        let mut messages = Vec::new();
        for test in &collected {
            match events.reported.get(&test.id) {
                Some(r) if r.status == "pass" => {}
                Some(r) => {
                    failing.push(test.name.clone());
                    messages.push(format!(
                        "{}: {}",
                        test.name,
                        r.message
                            .as_deref()
                            .unwrap_or(&r.status)
                            .lines()
                            .next()
                            .unwrap_or_default()
                    ));
                }
                None => failing.push(test.name.clone()),
            }
        }
        let coverage = if measure {
            Some(self.coverage(ctx, &data).await?)
        } else {
            None
        };
        Ok(Run::Tests {
            failing,
            messages,
            coverage,
        })
    }

    /// The coverage the run that wrote `data` reached on the code under test.
    async fn coverage(&self, ctx: &Ctx<'_>, data: &Path) -> Result<Coverage> {
        let report = ctx.own.join("tmp").join("coverage.json");
        let args: Vec<OsString> = vec![
            "-B".into(),
            "-m".into(),
            "coverage".into(),
            "json".into(),
            "-q".into(),
            format!("--data-file={}", data.display()).into(),
            "-o".into(),
            report.clone().into(),
        ];
        let finished = ctx.run(ctx.spawn(&ctx.toolchain.python, args)).await?;
        #[derive(Deserialize)]
        struct Report {
            totals: Coverage,
            files: std::collections::BTreeMap<String, File>,
        }
        #[derive(Deserialize)]
        struct File {
            missing_lines: Vec<u64>,
        }
        if finished.exit != Exit::Code(0) {
            // No data: the tests never imported the code under test.
            return Ok(Coverage {
                num_branches: 1,
                covered_branches: 0,
                percent_covered: 0.0,
                missing_lines: Vec::new(),
            });
        }
        let text = std::fs::read_to_string(&report).context("coverage wrote no report")?;
        let report: Report =
            serde_json::from_str(&text).context("coverage's report is unreadable")?;
        let mut totals = report.totals;
        totals.missing_lines = report
            .files
            .into_values()
            .flat_map(|f| f.missing_lines)
            .collect();
        Ok(totals)
    }
}

/// The test that the learner's tests pass against the correct code, as written and written
/// out again.
fn gate_test(module: &str, reference: &Run, rewritten: &Run) -> TestResult {
    let mut test = TestResult::new(format!("pass against the correct {module}"), Status::Pass);
    match (reference, rewritten) {
        (
            Run::Tests {
                failing, messages, ..
            },
            _,
        ) if !failing.is_empty() => {
            test.status = Status::Fail;
            test.message = Some(format!(
                "{} of your tests fail against the correct code, so they would reject a right answer: {}",
                failing.len(),
                messages
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        (_, Run::Tests { failing, .. }) if !failing.is_empty() => {
            test.status = Status::Fail;
            test.message = Some(format!(
                "{} fail against the same code written out differently (no comments, other spacing): test what the code does, not how its file is written",
                failing.join(", ")
            ));
        }
        _ => {}
    }
    test
}

/// The test that the learner's tests reach `budget` percent of the branches.
fn coverage_test(module: &str, budget: f64, gate_passed: bool, reference: &Run) -> TestResult {
    let mut test = TestResult::new(
        format!("branch coverage of {module} at least {budget}%"),
        Status::NotRun,
    );
    let Run::Tests {
        coverage: Some(coverage),
        ..
    } = reference
    else {
        return test;
    };
    let reached = if coverage.num_branches == 0 {
        coverage.percent_covered
    } else {
        100.0 * coverage.covered_branches as f64 / coverage.num_branches as f64
    };
    let mut said = format!("branch coverage {reached:.0}%");
    if !coverage.missing_lines.is_empty() {
        let lines: Vec<String> = coverage
            .missing_lines
            .iter()
            .take(8)
            .map(u64::to_string)
            .collect();
        said.push_str(&format!(" (lines never run: {})", lines.join(", ")));
    }
    test.status = if gate_passed && reached + 1e-9 >= budget {
        Status::Pass
    } else {
        Status::Fail
    };
    test.message = Some(said);
    test
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_names_its_tests_and_module() {
        let plain: LearnerTests = toml::from_str(
            "tests = [\"test_pricing.py\"]\nmodule = \"pricing.py\"\n[[variant]]\nname = \"a\"\nbug = \"b\"\nreplace = \">=\"\nwith = \">\"\n",
        )
        .unwrap();
        assert_eq!(plain.variants[0].with, ">");
        assert!(plain.min_branch_coverage.is_none());
        let typo = toml::from_str::<LearnerTests>(
            "tests = [\"test_p.py\"]\nmodule = \"p.py\"\nvariant = []\nmin-coverage = 90",
        )
        .unwrap_err();
        assert!(typo.to_string().contains("min-coverage"), "{typo}");
    }

    #[test]
    fn a_variant_is_one_edit_of_one_place() {
        let variant = |replace: &str| Variant {
            name: "off".into(),
            bug: "off by one".into(),
            replace: replace.into(),
            with: "n > 10".into(),
        };
        let module = "if n >= 10:\n    pass\nif m >= 1:\n    pass\n";
        assert_eq!(
            variant("n >= 10").apply(module).unwrap(),
            "if n > 10:\n    pass\nif m >= 1:\n    pass\n"
        );
        assert!(
            variant("k >= 3")
                .apply(module)
                .unwrap_err()
                .contains("not in the module")
        );
        assert!(
            variant(">= 1")
                .apply(module)
                .unwrap_err()
                .contains("2 times")
        );
    }

    #[test]
    fn coverage_counts_branches_against_the_budget() {
        let run = |covered| Run::Tests {
            failing: Vec::new(),
            messages: Vec::new(),
            coverage: Some(Coverage {
                num_branches: 10,
                covered_branches: covered,
                percent_covered: 0.0,
                missing_lines: vec![12, 30],
            }),
        };
        let met = coverage_test("p.py", 90.0, true, &run(9));
        assert_eq!(met.status, Status::Pass);
        let short = coverage_test("p.py", 90.0, true, &run(8));
        assert_eq!(short.status, Status::Fail);
        assert_eq!(
            short.message.as_deref(),
            Some("branch coverage 80% (lines never run: 12, 30)")
        );
        let gated = coverage_test("p.py", 50.0, false, &run(9));
        assert_eq!(gated.status, Status::Fail);
    }
}
