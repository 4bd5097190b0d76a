//! `pygrade check`: grade a learner's workspace against the trusted bank.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result, bail};

use crate::bank::Exercise;
use crate::cli::{CheckArgs, Format, RunArgs};
use crate::engine::{Submission, Work};
use crate::exit::Outcome;
use crate::report::{Collector, Emitter, Json, Report, Terminal, progress};
use crate::settings::Settings;
use crate::workspace::Workspace;

pub(super) fn run(settings: &Settings, args: CheckArgs) -> Result<Outcome> {
    let bank = settings.bank()?;
    let here = match &args.workspace {
        Some(dir) => dir.clone(),
        None => std::env::current_dir()?,
    };
    let workspace = Workspace::find(&here)?;
    // A workspace made by an older pygrade gets this one's files for running tests by hand;
    // grading does not need them, so failing to write them is only worth a warning.
    if let Err(e) = workspace.refresh() {
        eprintln!("pygrade: warning: {e:#}");
    }
    // Named exercises win; else the folder pygrade was started from (or pointed at) says
    // what to grade: one exercise, one module, or the whole workspace.
    let exercises = if args.exercises.is_empty() {
        workspace.exercises_in(&here, &bank)?
    } else {
        bank.select(&args.exercises)?
    };
    let report = grade(settings, &workspace, &exercises, &args.run)?;
    Ok(Outcome::of(report.all_passed() || args.exit_zero))
}

/// Grades `exercises` of `workspace`, remembers their grades in it, and writes the report as
/// `run` asks.
pub(super) fn grade(
    settings: &Settings,
    workspace: &Workspace,
    exercises: &[&Exercise],
    run: &RunArgs,
) -> Result<Report> {
    let to_terminal = run.output.is_none() && std::io::stdout().is_terminal();
    settings.decide_color(to_terminal && run.format == Format::Terminal);
    let grader = settings.grader(run.jobs)?;
    let learner = workspace.root.display().to_string();
    let work = exercises
        .iter()
        .map(|exercise| {
            let folder = workspace.exercise_dir(&exercise.id);
            Ok(Work {
                submission: &learner,
                exercise,
                files: Submission::from_workspace(exercise, &folder)?,
                grade_untouched: false,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let mut collector = Collector::default();
    let mut remember = workspace.remember();
    let mut bar = progress::Bar::new();
    let interrupted = grader
        .engine(&settings.registry)
        .grade(work, &mut [&mut bar, &mut collector, &mut remember])?;
    let report = collector.into_report(grader.tools.clone());

    let emitter: &dyn Emitter = match run.format {
        Format::Terminal => &Terminal,
        Format::Json => &Json,
    };
    match &run.output {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("could not create {}", path.display()))?,
            );
            emitter.emit(&report, &mut file)?;
            file.flush()?;
            eprintln!(
                "pygrade: {} of {} points; report written to {}",
                report.summary.score,
                report.summary.max_score,
                path.display()
            );
        }
        None => emitter.emit(&report, &mut std::io::stdout().lock())?,
    }
    if interrupted {
        bail!(
            "grading was interrupted: the report above marks the checks that did not run as skipped"
        );
    }
    Ok(report)
}
