//! `pygrade check`: grade a learner's workspace against the trusted bank.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result, bail};

use crate::cli::{CheckArgs, Format};
use crate::engine::{Submission, Work};
use crate::exit::Outcome;
use crate::report::{Collector, Emitter, Json, Terminal, progress};
use crate::settings::Settings;
use crate::workspace::Workspace;

pub(super) fn run(settings: &Settings, args: CheckArgs) -> Result<Outcome> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    settings.decide_color(to_terminal && args.format == Format::Terminal);
    let bank = settings.bank()?;
    let here = match &args.workspace {
        Some(dir) => dir.clone(),
        None => std::env::current_dir()?,
    };
    let workspace = Workspace::find(&here)?;
    let exercises = bank.select(&args.exercises)?;
    let grader = settings.grader(args.jobs)?;
    let learner = workspace.root.display().to_string();
    let work = exercises
        .iter()
        .map(|exercise| {
            let files =
                Submission::from_workspace(exercise, &workspace.exercise_dir(&exercise.id))?;
            Ok(Work {
                submission: &learner,
                exercise,
                files,
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

    let emitter: &dyn Emitter = match args.format {
        Format::Terminal => &Terminal,
        Format::Json => &Json,
    };
    match &args.output {
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
    Ok(Outcome::of(report.all_passed() || args.exit_zero))
}
