//! Grading: the statuses and scores that every check kind produces and every report renders.
//!
//! A check kind turns what its processes did into a [`CheckResult`]; this module owns what
//! those results mean together: the status precedence of an exercise, partial credit by test
//! weight, and the summary of a whole run. It runs nothing and prints nothing.

use serde::{Deserialize, Serialize};

/// How one check (or one test inside it) ended. A learner's failure is always one of these,
/// never a Rust error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Status {
    Pass,
    Fail,
    /// The learner's code could not be evaluated: syntax error, import error, crash.
    Error,
    Timeout,
    OutputLimit,
    /// The learner's process went over its memory limit.
    MemoryLimit,
    /// The learner's code wrote more than its disk limit.
    DiskLimit,
    /// The learner's code started more processes or threads than its limit.
    ProcessLimit,
    /// The submission was refused before anything ran (a link, an oversize file).
    Rejected,
    Skipped,
    /// A test that never ran because the process ended before it (crash, timeout).
    NotRun,
    /// A timing check whose budget stayed within its measurement's uncertainty: the machine
    /// was too noisy to decide. Not a grade either way: no points, and worth grading again.
    Inconclusive,
    /// The learner has not started the exercise: its files are still the starter's (or
    /// absent). Not a grade: no points, and not counted as a failure.
    NotStarted,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Timeout => "timeout",
            Status::OutputLimit => "output-limit",
            Status::MemoryLimit => "memory-limit",
            Status::DiskLimit => "disk-limit",
            Status::ProcessLimit => "process-limit",
            Status::Rejected => "rejected",
            Status::Skipped => "skipped",
            Status::NotRun => "not-run",
            Status::NotStarted => "not-started",
            Status::Inconclusive => "inconclusive",
        }
    }

    /// The status among `statuses` that most needs the learner's attention; `None` when
    /// there are none.
    pub(crate) fn most_urgent(statuses: impl Iterator<Item = Status>) -> Option<Status> {
        statuses.max_by_key(|s| s.severity())
    }

    /// Which status speaks for an exercise whose checks disagree: the one that most needs
    /// the learner's attention first (code that does not run before code that is wrong).
    fn severity(self) -> u8 {
        match self {
            Status::Pass => 0,
            Status::NotStarted => 1,
            Status::Skipped | Status::NotRun => 1,
            Status::Inconclusive => 2,
            Status::Fail => 3,
            Status::OutputLimit
            | Status::MemoryLimit
            | Status::DiskLimit
            | Status::ProcessLimit => 4,
            Status::Timeout => 5,
            Status::Error => 6,
            Status::Rejected => 7,
        }
    }
}

/// One test of a pytest check, or one case of an output check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TestResult {
    pub name: String,
    pub status: Status,
    pub message: Option<String>,
    /// Where it failed, `file:line`, relative to the exercise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// What the learner's code printed during this test (clipped).
    pub output: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub output_truncated: bool,
    /// For output checks: a unified diff of expected and actual stdout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Its share of the check's points; a report read back has graded already, so any.
    #[serde(skip, default = "one")]
    pub weight: f64,
    /// One of the exercise's hidden tests (its `hidden/` folder), which `pygrade init` never
    /// hands out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl TestResult {
    pub(crate) fn new(name: impl Into<String>, status: Status) -> Self {
        TestResult {
            name: name.into(),
            status,
            message: None,
            location: None,
            output: String::new(),
            output_truncated: false,
            diff: None,
            weight: 1.0,
            hidden: false,
        }
    }
}

/// A file in the learner's exercise folder that no check sees, and why: the report says so,
/// so a learner whose code cannot find its data file knows where it went.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct NotGraded {
    pub file: String,
    pub reason: String,
}

/// One mypy finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Diagnostic {
    pub file: String,
    pub line: u64,
    pub column: Option<u64>,
    pub severity: String,
    pub code: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CheckResult {
    #[serde(deserialize_with = "kind_name")]
    pub kind: KindName,
    pub status: Status,
    pub score: f64,
    pub max_score: f64,
    pub duration_ms: u64,
    pub message: Option<String>,
    pub tests: Vec<TestResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
    /// What the check's processes used, summed over them (the peak: the largest one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// For timing and memory checks: what was measured, and against which budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measurement: Option<Measurement>,
    /// How the hidden tests among `tests` did, when any ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<HiddenTally>,
}

/// How many of a check's hidden tests passed: all a learner is told of them unless the
/// grader reveals them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct HiddenTally {
    pub passed: u32,
    /// The hidden tests that count toward the points (a skip left out of them does not).
    pub total: u32,
}

/// The resources a check's processes used, as the supervisor measured them.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Usage {
    pub cpu_ms: u64,
    /// The largest resident set of any one of its processes.
    pub peak_rss_kib: u64,
    /// The most memory the whole process tree of one of its runs held at once: what the
    /// `memory` limit holds.
    #[serde(default)]
    pub peak_memory_kib: u64,
}

/// A timing or memory check's figures. Every figure graded is reported with its budget.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum Measurement {
    /// Learner time over reference time at one size: the median of the per-round ratios.
    Ratio {
        size: u64,
        ratio: f64,
        /// Half the width of the median's 95% confidence interval (0 for one call each).
        uncertainty: f64,
        max_ratio: f64,
        /// Rounds measured (1: one call each, the learner being far slower).
        rounds: usize,
    },
    /// The exponent `k` of `time ~ n^k` over the sizes, for learner and reference: the median
    /// of one fit per round, every round timing every size.
    Growth {
        sizes: Vec<u64>,
        exponent: f64,
        /// Half the width of the median's 95% confidence interval, of the figure graded (the
        /// exponent, or its difference from the reference's with a margin).
        uncertainty: f64,
        reference_exponent: f64,
        max_exponent: f64,
        rounds: usize,
        /// A learner call at this size was stopped at its CPU allowance, so it and the larger
        /// sizes have no time: `sizes` are those below it (null: every size was timed).
        stopped_at: Option<u64>,
        /// `exponent` is a lower bound, from the stopped call's time against the smaller of
        /// `sizes`.
        lower_bound: bool,
    },
    /// Peak bytes allocated during one call.
    Memory {
        size: u64,
        peak_bytes: u64,
        reference_peak_bytes: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        max_peak_bytes: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max_ratio: Option<f64>,
    },
}

impl CheckResult {
    /// A check whose status is settled and whose points are all-or-nothing.
    pub(crate) fn whole(kind: &'static str, status: Status, points: f64) -> Self {
        CheckResult {
            kind,
            status,
            score: if status == Status::Pass { points } else { 0.0 },
            max_score: points,
            duration_ms: 0,
            message: None,
            tests: Vec::new(),
            diagnostics: Vec::new(),
            usage: None,
            measurement: None,
            hidden: None,
        }
    }

    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Partial credit: `points` shared among `tests` by weight, earned by the passing ones.
    pub(crate) fn from_tests(
        kind: &'static str,
        status: Status,
        points: f64,
        tests: Vec<TestResult>,
    ) -> Self {
        let total: f64 = tests.iter().map(|t| t.weight).sum();
        let earned: f64 = tests
            .iter()
            .filter(|t| t.status == Status::Pass)
            .map(|t| t.weight)
            .sum();
        let score = if total > 0.0 {
            round2(points * earned / total)
        } else {
            0.0
        };
        CheckResult {
            score,
            tests,
            ..CheckResult::whole(kind, status, points)
        }
    }

    /// The tests a report shows as failing: every one that neither passed nor never ran.
    pub(crate) fn failing_tests(&self) -> Vec<&TestResult> {
        (self.tests.iter())
            .filter(|t| !matches!(t.status, Status::Pass | Status::NotRun))
            .collect()
    }

    /// The findings that are errors (mypy's notes and warnings are not).
    pub(crate) fn errors(&self) -> Vec<&Diagnostic> {
        (self.diagnostics.iter())
            .filter(|d| d.severity == "error")
            .collect()
    }

    /// Counts the hidden tests into [`CheckResult::hidden`] and, unless `reveal`, takes them
    /// out of `tests`: their names, messages, locations and output then reach no report, and
    /// the score, already earned, still counts them.
    pub(crate) fn settle_hidden(&mut self, reveal: bool) {
        if !self.tests.iter().any(|t| t.hidden) {
            return;
        }
        let counted = self
            .tests
            .iter()
            .filter(|t| t.hidden && !(t.status == Status::Skipped && t.weight == 0.0));
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.hidden = Some(HiddenTally {
            passed: count(counted.clone().filter(|t| t.status == Status::Pass).count()),
            total: count(counted.count()),
        });
        if !reveal {
            self.tests.retain(|t| !t.hidden);
        }
    }
}

/// A check kind's name. Named, so that serde reads it through [`kind_name`] rather than
/// borrowing it from the input.
pub(crate) type KindName = &'static str;

/// A test's weight when a report is read back: its points are earned already.
fn one() -> f64 {
    1.0
}

/// A check kind's name read back from a report, as the `&'static str` results carry: each
/// distinct name is kept once for the life of the process (there are a handful).
fn kind_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<&'static str, D::Error> {
    use std::collections::BTreeSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let name = String::deserialize(deserializer)?;
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .expect("kind names");
    if let Some(known) = names.get(name.as_str()) {
        return Ok(known);
    }
    let kept: &'static str = Box::leak(name.into_boxed_str());
    names.insert(kept);
    Ok(kept)
}

/// Scores are shown to people: two decimals are plenty and keep sums stable. Adding zero
/// turns the `-0.0` that an empty float sum starts from into `0.0`.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// Quality checks (typing) grade how working code is written, not whether it works: each
/// earns its points only in the proportion the exercise's other checks earned theirs, so a
/// typed stub earns nothing and half-working code half its typing points. `quality[i]` says
/// whether `checks[i]` is one. An exercise with only quality checks is left as it is.
pub(crate) fn scale_quality(checks: &mut [CheckResult], quality: &[bool]) {
    let (mut earned, mut available) = (0.0, 0.0);
    for (check, _) in checks.iter().zip(quality).filter(|(_, q)| !**q) {
        earned += check.score;
        available += check.max_score;
    }
    if available <= 0.0 || earned >= available {
        return;
    }
    let share = (earned / available).max(0.0);
    for (check, _) in checks.iter_mut().zip(quality).filter(|(_, q)| **q) {
        if check.score <= 0.0 {
            continue;
        }
        check.score = round2(check.score * share);
        let why = format!(
            "the {} points count only as far as the code works: {} of {}, as the other checks earned {} of {}",
            check.kind,
            check.score,
            check.max_score,
            round2(earned),
            round2(available)
        );
        check.message = Some(match check.message.take() {
            Some(message) => format!("{message}; {why}"),
            None => why,
        });
    }
}

/// The status of an exercise: `pass` when every check passed, otherwise the most severe.
pub(crate) fn exercise_status(checks: &[CheckResult]) -> Status {
    Status::most_urgent(checks.iter().map(|c| c.status)).unwrap_or(Status::Skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(status: Status, weight: f64) -> TestResult {
        TestResult {
            weight,
            ..TestResult::new("t", status)
        }
    }

    #[test]
    fn partial_credit_follows_test_weights() {
        let tests = vec![
            test(Status::Pass, 1.0),
            test(Status::Fail, 1.0),
            test(Status::Pass, 2.0),
        ];
        let check = CheckResult::from_tests("pytest", Status::Fail, 6.0, tests);
        assert_eq!(check.score, 4.5);
        assert_eq!(check.max_score, 6.0);
    }

    #[test]
    fn hidden_tests_count_toward_the_score_and_leave_only_a_tally() {
        let hidden = |status| TestResult {
            hidden: true,
            message: Some("secret".into()),
            ..test(status, 1.0)
        };
        let tests = vec![
            test(Status::Pass, 2.0),
            hidden(Status::Pass),
            hidden(Status::Fail),
        ];
        let mut check = CheckResult::from_tests("pytest", Status::Fail, 8.0, tests);
        let mut revealed = check.clone();
        check.settle_hidden(false);
        assert_eq!(check.score, 6.0, "3 of 4 shares");
        assert_eq!(
            check.hidden,
            Some(HiddenTally {
                passed: 1,
                total: 2
            })
        );
        assert_eq!(check.tests.len(), 1, "only the visible test is left");
        assert!(!serde_json::to_string(&check).unwrap().contains("secret"));
        revealed.settle_hidden(true);
        assert_eq!(revealed.tests.len(), 3);
        assert_eq!(revealed.hidden, check.hidden);
    }

    #[test]
    fn a_check_without_tests_earns_nothing() {
        let check = CheckResult::from_tests("pytest", Status::Error, 6.0, vec![]);
        assert_eq!(check.score, 0.0);
    }

    /// A pytest check that earned `score` of 8 and a passing mypy check worth 2.
    fn typed(score: f64) -> Vec<CheckResult> {
        let mut tests = CheckResult::whole("pytest", Status::Fail, 8.0);
        tests.score = score;
        let typing = CheckResult::whole("mypy", Status::Pass, 2.0).with_message("no type errors");
        vec![tests, typing]
    }

    #[test]
    fn quality_earns_in_proportion_to_what_the_other_checks_earned() {
        let mut checks = typed(2.0);
        scale_quality(&mut checks, &[false, true]);
        assert_eq!(
            checks[0].score, 2.0,
            "the other checks are left as they are"
        );
        assert_eq!(checks[1].score, 0.5);
        assert_eq!(checks[1].status, Status::Pass);
        assert_eq!(
            checks[1].message.as_deref(),
            Some(
                "no type errors; the mypy points count only as far as the code works: 0.5 of 2, as the other checks earned 2 of 8"
            )
        );
    }

    #[test]
    fn a_typed_stub_earns_nothing() {
        let mut checks = typed(0.0);
        scale_quality(&mut checks, &[false, true]);
        assert_eq!(checks[1].score, 0.0);
    }

    #[test]
    fn working_code_keeps_its_quality_points_unexplained() {
        let mut checks = typed(8.0);
        scale_quality(&mut checks, &[false, true]);
        assert_eq!(checks[1].score, 2.0);
        assert_eq!(checks[1].message.as_deref(), Some("no type errors"));
    }

    #[test]
    fn quality_alone_is_not_scaled() {
        let mut checks = vec![CheckResult::whole("mypy", Status::Pass, 2.0)];
        scale_quality(&mut checks, &[true]);
        assert_eq!(checks[0].score, 2.0);
    }

    #[test]
    fn an_exercise_shows_its_most_urgent_status() {
        let pass = CheckResult::whole("mypy", Status::Pass, 1.0);
        let fail = CheckResult::whole("pytest", Status::Fail, 1.0);
        let error = CheckResult::whole("output", Status::Error, 1.0);
        assert_eq!(exercise_status(std::slice::from_ref(&pass)), Status::Pass);
        assert_eq!(exercise_status(&[pass.clone(), fail.clone()]), Status::Fail);
        assert_eq!(exercise_status(&[fail, error, pass]), Status::Error);
    }
}
