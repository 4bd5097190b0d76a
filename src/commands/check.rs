//! `pygrade check`: grade a learner's workspace against the trusted bank.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Result, bail};

use crate::bank::Exercise;
use crate::checks::Hidden;
use crate::cli::{CheckArgs, Format, FormatTo, RunArgs};
use crate::engine::{Submission, Work};
use crate::exit::Outcome;
use crate::report::{
    Collector, Csv, Emitter, Exercism, Github, Gradescope, Json, Junit, Markdown, Report, Terminal,
    progress,
};
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
    let report = grade(
        settings,
        &workspace,
        &exercises,
        &args.run,
        args.hidden_tests(),
    )?;
    Ok(Outcome::of(report.all_passed() || args.exit_zero))
}

/// Grades `exercises` of `workspace`, their hidden tests as `hidden` says, remembers their
/// grades in it, and writes the report as `run` asks.
pub(super) fn grade(
    settings: &Settings,
    workspace: &Workspace,
    exercises: &[&Exercise],
    run: &RunArgs,
    hidden: Hidden,
) -> Result<Report> {
    let reports = run.reports().map_err(anyhow::Error::msg)?;
    let terminal_on_screen = reports
        .iter()
        .any(|r| r.format == Format::Terminal && r.path.is_none());
    settings.decide_color(terminal_on_screen && std::io::stdout().is_terminal());
    let grader = settings.grader(run.jobs, hidden)?;
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
                behaviour_only: false,
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

    for FormatTo { format, path } in &reports {
        let emitter = emitter(*format);
        match path {
            Some(path) => {
                write_report(emitter.as_ref(), &report, path)?;
                eprintln!(
                    "pygrade: {} of {} points; {} report written to {}",
                    report.summary.score,
                    report.summary.max_score,
                    format.name(),
                    path.display()
                );
            }
            None => emitter.emit(&report, &mut std::io::stdout().lock())?,
        }
    }
    if interrupted {
        bail!(
            "grading was interrupted: the report above marks the checks that did not run as skipped"
        );
    }
    Ok(report)
}

/// The emitter of a format.
pub(super) fn emitter(format: Format) -> Box<dyn Emitter> {
    match format {
        Format::Terminal => Box::new(Terminal),
        Format::Json => Box::new(Json),
        Format::Markdown => Box::new(Markdown),
        Format::Github => Box::new(Github),
        Format::Csv => Box::new(Csv),
        Format::Junit => Box::new(Junit),
        Format::Gradescope => Box::new(Gradescope),
        Format::Exercism => Box::new(Exercism),
    }
}

/// Writes `report` as `emitter` renders it to `path`, whole or not at all.
fn write_report(emitter: &dyn Emitter, report: &Report, path: &Path) -> Result<()> {
    crate::files::write_atomically(path, |out| emitter.emit(report, out))
}
