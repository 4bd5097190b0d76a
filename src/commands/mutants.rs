//! `pygrade verify --mutants`: do an exercise's tests catch wrong answers?
//!
//! Each mutant is the reference with one small, plausible mistake (`pygrade_graders.mutate`
//! lists them: a comparison flipped, a constant off by one, an operator swapped, a statement
//! dropped, a returned value replaced, a default dropped). Every mutant is graded like a
//! submission by the checks of what the code does (not typing, not timing); one that still
//! earns full marks survived, and the tests would pass a learner who made that mistake. An
//! exercise must kill at least [`MOST_SURVIVING`] of the mutants it does not mark equivalent
//! (`equivalent-mutants` in its manifest, by name, with why).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use colored::Colorize;
use serde::Deserialize;
use sha2::Digest;

use super::verify::{Findings, Mutants, Report, Survivor};
use crate::bank::{Exercise, Side};
use crate::checks::Hidden;
use crate::engine::{Event, Listener, Submission, Work};
use crate::exit::Outcome;
use crate::grade::Status;
use crate::report::progress;
use crate::settings::Settings;
use crate::toolchain::Toolchain;

/// The share of an exercise's mutants (less those marked equivalent) its tests must kill.
const MOST_SURVIVING: f64 = 0.9;

/// One mutant, as `pygrade_graders.mutate` lists it.
#[derive(Debug, Deserialize)]
struct Mutant {
    /// `FILE:LINE:COLUMN:WHAT`, stable while the reference is.
    id: String,
    line: u64,
    description: String,
    source: String,
}

/// `pygrade verify --mutants [--sample N] [EXERCISES]`.
pub(super) fn run(
    settings: &Settings,
    jobs: usize,
    filters: &[String],
    sample: Option<usize>,
    json: Option<&Path>,
) -> Result<Outcome> {
    let bank = settings.bank()?;
    let exercises = bank.select(filters)?;
    let grader = settings.grader(jobs, Hidden::Run)?;
    let mut found: Vec<(&Exercise, Vec<Mutant>)> = Vec::new();
    for exercise in exercises {
        let mut mutants = mutants_of(&grader.toolchain, exercise)?;
        if let Some(n) = sample {
            keep_sample(&mut mutants, n);
        }
        found.push((exercise, mutants));
    }
    let labels: Vec<Vec<String>> = (found.iter())
        .map(|(_, mutants)| mutants.iter().map(|m| format!("mutant {}", m.id)).collect())
        .collect();
    let mut work = Vec::new();
    for ((exercise, mutants), labels) in found.iter().zip(&labels) {
        let reference = exercise.side_files(Side::Reference);
        for (mutant, label) in mutants.iter().zip(labels) {
            let file = mutant.id.split(':').next().unwrap_or_default();
            let files: Vec<(String, Vec<u8>)> = (reference.iter())
                .map(|(name, bytes)| {
                    let bytes = if name == file {
                        mutant.source.as_bytes().to_vec()
                    } else {
                        bytes.to_vec()
                    };
                    (name.clone(), bytes)
                })
                .collect();
            work.push(Work {
                submission: label,
                exercise,
                files: Submission {
                    files: Arc::from(files),
                    ..Submission::default()
                },
                grade_untouched: true,
                behaviour_only: true,
            });
        }
    }
    let total: usize = found.iter().map(|(_, m)| m.len()).sum();
    println!(
        "Grading {total} mutants of {} exercises{}.",
        found.len(),
        sample.map_or(String::new(), |n| format!(" (at most {n} of each)"))
    );
    let mut killed = Killed::default();
    let mut bar = progress::Bar::new();
    let interrupted = grader
        .engine(&settings.registry)
        .grade(work, &mut [&mut bar, &mut killed])?;
    if interrupted {
        bail!("the mutants' grading was interrupted");
    }
    let mut report = Report::new(&bank.origin, "mutants");
    let mut out = std::io::stdout().lock();
    for (exercise, mutants) in &found {
        let findings = judge(exercise, mutants, &killed, sample.is_some());
        show(&mut out, &findings)?;
        report.exercises.push(findings);
    }
    let failing = report.exercises.iter().filter(|e| !e.passed).count();
    writeln!(
        out,
        "\n{} exercises, {failing} whose tests let more than {:.0}% of their mutants survive.",
        found.len(),
        (1.0 - MOST_SURVIVING) * 100.0
    )?;
    report.finish(json)
}

/// How `exercise`'s tests fared against its mutants, and whether they killed enough. A
/// `sampled` run does not hold stale marks of equivalence against the exercise.
fn judge(exercise: &Exercise, mutants: &[Mutant], killed: &Killed, sampled: bool) -> Findings {
    let marked = &exercise.manifest.equivalent_mutants;
    let names: BTreeSet<&str> = mutants.iter().map(|m| m.id.as_str()).collect();
    let (mut dead, mut equivalent) = (0, 0);
    let mut notes = Vec::new();
    let mut survivors = Vec::new();
    for mutant in mutants {
        let was_killed = killed.0.get(&format!("mutant {}", mutant.id)) == Some(&true);
        match (marked.contains_key(&mutant.id), was_killed) {
            (true, false) => equivalent += 1,
            (true, true) => {
                dead += 1;
                notes.push(format!(
                    "{} is marked equivalent, but the tests kill it: remove the mark",
                    mutant.id
                ));
            }
            (false, true) => dead += 1,
            (false, false) => survivors.push(Survivor {
                id: mutant.id.clone(),
                file: mutant.id.split(':').next().unwrap_or_default().to_string(),
                line: mutant.line,
                description: mutant.description.clone(),
            }),
        }
    }
    if !sampled {
        for name in marked.keys().filter(|name| !names.contains(name.as_str())) {
            notes.push(format!(
                "`equivalent-mutants` names {name}, which is no mutant of the reference now: remove it"
            ));
        }
    }
    let counted = mutants.len() - equivalent;
    let kill_rate = if counted == 0 {
        1.0
    } else {
        dead as f64 / counted as f64
    };
    Findings {
        id: exercise.id.clone(),
        passed: kill_rate >= MOST_SURVIVING && notes.is_empty(),
        problems: notes,
        reference: None,
        starter: None,
        mutants: Some(Mutants {
            graded: mutants.len(),
            killed: dead,
            marked_equivalent: equivalent,
            kill_rate,
            survivors,
        }),
    }
}

/// Prints one exercise's findings: its kill rate, survivors and notes.
fn show(out: &mut impl Write, findings: &Findings) -> Result<()> {
    let Some(m) = &findings.mutants else {
        return Ok(());
    };
    let mark = if findings.passed {
        "✓".green()
    } else {
        "✗".red()
    };
    let equivalents = if m.marked_equivalent > 0 {
        format!(", {} marked equivalent", m.marked_equivalent)
    } else {
        String::new()
    };
    writeln!(
        out,
        "{mark} {:<44} {} mutants: {} killed{equivalents} ({:.0}%)",
        findings.id,
        m.graded,
        m.killed,
        m.kill_rate * 100.0
    )?;
    for s in &m.survivors {
        writeln!(
            out,
            "    survived: {}:{}: {}  [{}]",
            s.file, s.line, s.description, s.id
        )?;
    }
    for note in &findings.problems {
        writeln!(out, "    {note}")?;
    }
    Ok(())
}

/// Whether each mutant, by its unit's name, was killed: some check of what the code does
/// did not pass it with full marks.
#[derive(Default)]
struct Killed(BTreeMap<String, bool>);

impl Listener for Killed {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        if let Event::ExerciseGraded { graded } = event {
            let killed = (graded.checks.iter())
                .filter(|check| check.status != Status::Skipped)
                .any(|check| check.status != Status::Pass || check.score < check.max_score);
            self.0.insert(graded.unit.submission.to_string(), killed);
        }
        Ok(())
    }
}

/// The mutants of `exercise`'s reference: of each of its Python learner files.
fn mutants_of(toolchain: &Toolchain, exercise: &Exercise) -> Result<Vec<Mutant>> {
    let scratch = tempfile::tempdir().context("could not create a scratch folder")?;
    let mut all = Vec::new();
    for (name, bytes) in exercise.side_files(Side::Reference) {
        // A learner's own tests (a `learner-tests` exercise's test_*.py) are not code under
        // test: the exercise's faulty variants are what grade them.
        let file = name.rsplit('/').next().unwrap_or(&name);
        if !name.ends_with(".py") || file.starts_with("test_") {
            continue;
        }
        let path = scratch.path().join("reference.py");
        std::fs::write(&path, bytes)?;
        all.extend(list(toolchain, &path, &name).with_context(|| {
            format!(
                "{}: could not list the mutants of reference/{name}",
                exercise.id
            )
        })?);
    }
    Ok(all)
}

fn list(toolchain: &Toolchain, path: &Path, name: &str) -> Result<Vec<Mutant>> {
    let out = std::process::Command::new(&toolchain.python)
        .args(["-B", "-m", "pygrade_graders.mutate"])
        .arg(path)
        .arg(name)
        .env("PYTHONPATH", &toolchain.graders)
        .output()
        .with_context(|| format!("could not run {}", toolchain.python.display()))?;
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Keeps at most `n` of `mutants`: those whose names hash lowest, so that a sample is the
/// same from run to run and changes little when the reference does.
fn keep_sample(mutants: &mut Vec<Mutant>, n: usize) {
    let rank = |m: &Mutant| sha2::Sha256::digest(m.id.as_bytes()).to_vec();
    let mut ranked: Vec<(Vec<u8>, Mutant)> = mutants.drain(..).map(|m| (rank(&m), m)).collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    ranked.truncate(n);
    let mut kept: Vec<Mutant> = ranked.into_iter().map(|(_, m)| m).collect();
    kept.sort_by(|a, b| (a.line, &a.id).cmp(&(b.line, &b.id)));
    *mutants = kept;
}
