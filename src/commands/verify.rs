//! `pygrade verify`: the bank's self-check. Every manifest is valid (the bank would not load
//! otherwise), every `reference/` earns full marks on every check, hidden tests included, and
//! every `starter/` fails at least one and earns nothing, unless its manifest says why it does
//! (`starter-scores`). `--json FILE` also writes the findings for tools ([`Report`]).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Result, bail};
use colored::Colorize;
use serde::Serialize;

use crate::bank::Side;
use crate::checks::Hidden;
use crate::engine::{Event, Graded, Listener, Submission, Work};
use crate::exit::Outcome;
use crate::grade::{CheckResult, Status, round2};
use crate::report::progress;
use crate::settings::Settings;

pub(super) fn run(
    settings: &Settings,
    jobs: usize,
    filters: &[String],
    json: Option<&Path>,
) -> Result<Outcome> {
    settings.decide_color(std::io::stdout().is_terminal());
    let bank = settings.bank()?;
    let exercises = bank.select(filters)?;
    // Every reference passes the hidden tests too, and they are shown when it does not.
    let grader = settings.grader(jobs, Hidden::Reveal)?;
    let work: Vec<Work<'_>> = exercises
        .iter()
        .flat_map(|exercise| {
            [Side::Reference, Side::Starter].map(|side| Work {
                submission: side.dir(),
                exercise,
                files: Submission::from_side(exercise, side),
                grade_untouched: true,
                behaviour_only: false,
            })
        })
        .collect();
    let mut sides = Sides::default();
    let mut bar = progress::Bar::new();
    let interrupted = grader
        .engine(&settings.registry)
        .grade(work, &mut [&mut bar, &mut sides])?;
    if interrupted {
        bail!("verification was interrupted");
    }
    let mut report = Report::new(&bank.origin, "sides");
    for exercise in &exercises {
        let side = |side: Side| sides.checks(&exercise.id, side);
        let (reference, starter) = (side(Side::Reference), side(Side::Starter));
        let mut found = judge(
            reference,
            starter,
            exercise.manifest.starter_scores.is_some(),
        );
        if exercise.manifest.hints.len() < 2 {
            found.push(format!(
                "`hints` has {} hint: give at least two, from a nudge to the most concrete, so that `pygrade hint` can lead the learner step by step",
                exercise.manifest.hints.len()
            ));
        }
        let starter_points = Points::of(starter);
        if found.is_empty() {
            println!(
                "{} {:<44} reference full marks, starter {}/{}",
                "✓".green(),
                exercise.id,
                starter_points.score,
                starter_points.max_score
            );
        } else {
            println!("{} {}", "✗".red(), exercise.id.bold());
            for problem in &found {
                println!("    {problem}");
            }
        }
        report.exercises.push(Findings {
            id: exercise.id.clone(),
            passed: found.is_empty(),
            problems: found,
            reference: Some(Points::of(reference)),
            starter: Some(starter_points),
            mutants: None,
        });
    }
    // The demo and the topics are the whole bank's: checked when the whole bank is.
    let whole = filters.is_empty();
    if let Some(Err(found)) = bank.demo().filter(|_| whole) {
        println!("{} {}", "✗".red(), crate::bank::demo::FILE.bold());
        for problem in &found {
            println!("    {problem}");
        }
        report.bank_problems.extend(
            found
                .iter()
                .map(|p| format!("{}: {p}", crate::bank::demo::FILE)),
        );
    }
    let topics = if whole { bank.topics() } else { Vec::new() };
    let bare: Vec<_> = topics.iter().filter(|t| t.exercises.is_empty()).collect();
    if !topics.is_empty() {
        let graded = topics.len() - bare.len();
        let counted = format!(
            "{graded} of {} topics are practised by an exercise",
            topics.len()
        );
        match (bare.is_empty(), bank.outline.require_every_topic) {
            (true, _) => println!("{} {counted}", "✓".green()),
            (false, true) => {
                report.bank_problems.push(format!(
                    "{} requires an exercise for every topic, and {} have none",
                    crate::bank::outline::FILE,
                    bare.len()
                ));
                println!(
                    "{} {counted}; these have none, and {} requires one for each:",
                    "✗".red(),
                    crate::bank::outline::FILE
                );
            }
            (false, false) => println!("{} {counted}; these have none yet:", "·".dimmed()),
        }
        for topic in &bare {
            println!("    module {}: {}", topic.module, topic.name);
        }
        report.topics = Some(Topics {
            total: topics.len(),
            practised: graded,
            without_exercise: (bare.iter())
                .map(|t| format!("module {}: {}", t.module, t.name))
                .collect(),
        });
    }
    let problems = report.exercises.iter().filter(|e| !e.passed).count()
        + usize::from(!report.bank_problems.is_empty());
    println!(
        "\n{} exercises verified, {problems} with problems ({}).",
        exercises.len(),
        bank.origin
    );
    report.finish(json)
}

/// What `verify --json FILE` writes: the verdict on each exercise, as the terminal shows it.
#[derive(Serialize)]
pub(super) struct Report<'a> {
    /// The format's version: a field's meaning never changes within one.
    version: u32,
    bank: &'a str,
    /// `sides` (the reference and the starter graded) or `mutants`.
    mode: &'static str,
    passed: bool,
    pub exercises: Vec<Findings>,
    /// What is wrong with the bank as a whole (its demo, its outline's topics).
    bank_problems: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topics: Option<Topics>,
}

impl<'a> Report<'a> {
    pub fn new(bank: &'a str, mode: &'static str) -> Self {
        Report {
            version: 1,
            bank,
            mode,
            passed: false,
            exercises: Vec::new(),
            bank_problems: Vec::new(),
            topics: None,
        }
    }

    /// Writes the report to `json`, if asked; the run's outcome.
    pub fn finish(mut self, json: Option<&Path>) -> Result<Outcome> {
        self.passed = self.bank_problems.is_empty() && self.exercises.iter().all(|e| e.passed);
        if let Some(path) = json {
            crate::files::write_atomically(path, |out| {
                serde_json::to_writer_pretty(&mut *out, &self)?;
                writeln!(out)
            })?;
        }
        Ok(Outcome::of(self.passed))
    }
}

/// One exercise's verdict.
#[derive(Serialize)]
pub(super) struct Findings {
    pub id: String,
    pub passed: bool,
    pub problems: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<Points>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starter: Option<Points>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutants: Option<Mutants>,
}

/// The points a side earned, of those it could.
#[derive(Serialize)]
pub(super) struct Points {
    score: f64,
    max_score: f64,
}

impl Points {
    fn of(checks: &[CheckResult]) -> Self {
        Points {
            score: round2(checks.iter().map(|c| c.score).sum()),
            max_score: round2(checks.iter().map(|c| c.max_score).sum()),
        }
    }
}

/// How an exercise's tests fared against the mutants of its reference.
#[derive(Serialize)]
pub(super) struct Mutants {
    pub graded: usize,
    pub killed: usize,
    pub marked_equivalent: usize,
    /// `killed` of those not marked equivalent.
    pub kill_rate: f64,
    pub survivors: Vec<Survivor>,
}

#[derive(Serialize)]
pub(super) struct Survivor {
    pub id: String,
    pub file: String,
    pub line: u64,
    pub description: String,
}

#[derive(Serialize)]
struct Topics {
    total: usize,
    practised: usize,
    without_exercise: Vec<String>,
}

/// The checks of each exercise's reference and starter, by exercise id and side.
#[derive(Default)]
struct Sides {
    graded: BTreeMap<(String, &'static str), Vec<CheckResult>>,
}

impl Sides {
    fn checks(&self, id: &str, side: Side) -> &[CheckResult] {
        self.graded
            .get(&(id.to_string(), side.dir()))
            .map_or(&[], Vec::as_slice)
    }

    fn record(&mut self, graded: &Graded<'_>) {
        let side = [Side::Reference, Side::Starter]
            .into_iter()
            .find(|side| side.dir() == graded.unit.submission)
            .expect("verify grades only the bank's two sides");
        self.graded.insert(
            (graded.unit.exercise.id.clone(), side.dir()),
            graded.checks.clone(),
        );
    }
}

impl Listener for Sides {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        if let Event::ExerciseGraded { graded } = event {
            self.record(graded);
        }
        Ok(())
    }
}

/// What is wrong with an exercise whose reference and starter graded as given; `may_score`
/// when its manifest says why the untouched starter earns points.
fn judge(reference: &[CheckResult], starter: &[CheckResult], may_score: bool) -> Vec<String> {
    let mut found = Vec::new();
    for check in reference
        .iter()
        .filter(|c| c.status != Status::Pass || c.score < c.max_score)
    {
        found.push(format!(
            "reference/ does not pass the {} check: {} {}/{}: {}",
            check.kind,
            check.status.as_str(),
            check.score,
            check.max_score,
            describe_failure(check)
        ));
    }
    if starter.iter().all(|c| c.status == Status::Pass) {
        found
            .push("starter/ passes every check: a learner would get full marks for nothing".into());
    } else if !may_score && let Some(scoring) = describe_scoring(starter) {
        found.push(format!(
            "starter/ earns points untouched ({scoring}): change the starter or the tests so that it earns none, or say why it does in the manifest (`starter-scores = \"...\"`)"
        ));
    }
    found
}

/// What an untouched starter earns, check by check, with the first tests it passes; `None`
/// when it earns nothing.
fn describe_scoring(starter: &[CheckResult]) -> Option<String> {
    let earned = round2(starter.iter().map(|c| c.score).sum());
    if earned <= 0.0 {
        return None;
    }
    let max = round2(starter.iter().map(|c| c.max_score).sum());
    let checks: Vec<String> = starter
        .iter()
        .filter(|c| c.score > 0.0)
        .map(|c| {
            let passing: Vec<&str> = c
                .tests
                .iter()
                .filter(|t| t.status == Status::Pass)
                .map(|t| t.name.as_str())
                .collect();
            let shown = passing
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            match passing.len() {
                0 => format!("{} {} of {}", c.kind, c.score, c.max_score),
                n if n <= 3 => format!(
                    "{} {} of {}, passing: {shown}",
                    c.kind, c.score, c.max_score
                ),
                n => format!(
                    "{} {} of {}, passing: {shown} and {} more",
                    c.kind,
                    c.score,
                    c.max_score,
                    n - 3
                ),
            }
        })
        .collect();
    Some(format!("{earned} of {max} points: {}", checks.join("; ")))
}

fn describe_failure(check: &CheckResult) -> String {
    let mut parts = vec![check.message.clone().unwrap_or_default()];
    for test in check
        .tests
        .iter()
        .filter(|t| t.status != Status::Pass)
        .take(3)
    {
        parts.push(format!(
            "{}: {}",
            test.name,
            test.message.as_deref().unwrap_or("")
        ));
    }
    for d in check.diagnostics.iter().take(3) {
        parts.push(format!("{}:{}: {}", d.file, d.line, d.message));
    }
    parts.join("; ")
}
