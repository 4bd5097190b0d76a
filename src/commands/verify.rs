//! `pygrade verify`: the bank's self-check. Every manifest is valid (the bank would not load
//! otherwise), every `reference/` earns full marks on every check, hidden tests included, and
//! every `starter/` fails at least one and earns nothing, unless its manifest says why it does
//! (`starter-scores`).

use std::collections::BTreeMap;
use std::io::IsTerminal;

use anyhow::{Result, bail};
use colored::Colorize;

use crate::bank::Side;
use crate::checks::Hidden;
use crate::engine::{Event, Graded, Listener, Submission, Work};
use crate::exit::Outcome;
use crate::grade::{CheckResult, Status, round2};
use crate::report::progress;
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, jobs: usize, filters: &[String]) -> Result<Outcome> {
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
    let mut problems = 0;
    for exercise in &exercises {
        let side = |side: Side| sides.checks(&exercise.id, side);
        let (reference, starter) = (side(Side::Reference), side(Side::Starter));
        let found = judge(
            reference,
            starter,
            exercise.manifest.starter_scores.is_some(),
        );
        if found.is_empty() {
            let earned = round2(starter.iter().map(|c| c.score).sum());
            let max = round2(starter.iter().map(|c| c.max_score).sum());
            println!(
                "{} {:<44} reference full marks, starter {earned}/{max}",
                "✓".green(),
                exercise.id
            );
        } else {
            problems += 1;
            println!("{} {}", "✗".red(), exercise.id.bold());
            for problem in found {
                println!("    {problem}");
            }
        }
    }
    // The demo and the topics are the whole bank's: checked when the whole bank is.
    let whole = filters.is_empty();
    if let Some(Err(found)) = bank.demo().filter(|_| whole) {
        problems += 1;
        println!("{} {}", "✗".red(), crate::bank::demo::FILE.bold());
        for problem in found {
            println!("    {problem}");
        }
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
                problems += 1;
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
    }
    println!(
        "\n{} exercises verified, {problems} with problems ({}).",
        exercises.len(),
        bank.origin
    );
    Ok(Outcome::of(problems == 0))
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
