//! Commands: one file per command. Each wires the pipeline's stages together for one job of
//! the user's; none decides a grade or draws a report itself.

mod batch;
mod check;
mod completions;
mod demo;
mod doctor;
mod exercism_run;
mod hint;
mod init;
mod list;
mod man;
mod mutants;
mod next;
mod reset;
mod setup;
mod solution;
mod verify;
mod watch;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;
use crate::settings::Settings;

pub(crate) fn run(cli: Cli) -> Result<Outcome> {
    // The supervisor starts for every contained process, and the built-in sandbox inside it
    // for every sandboxed one: they need no settings.
    if let Command::Supervise { spec, command } = &cli.command {
        crate::contain::supervise::run(spec, command)?;
        return Ok(Outcome::Success);
    }
    if let Command::Sandbox = cli.command {
        crate::contain::builtin::run();
    }
    if let Command::Zygote { python, modules } = &cli.command {
        crate::contain::zygote::run(python, modules)?;
        return Ok(Outcome::Success);
    }
    crate::contain::descriptors::close_inherited_on_exec();
    let settings = Settings::new(&cli.global);
    match cli.command {
        Command::Supervise { .. } | Command::Sandbox | Command::Zygote { .. } => {
            unreachable!("handled above")
        }
        Command::Init { dir } => init::run(&settings, &dir),
        Command::List {
            exercises,
            workspace,
        } => list::run(&settings, &exercises, workspace.as_deref()),
        Command::Check(args) => check::run(&settings, args),
        Command::Batch(args) => batch::run(&settings, args),
        Command::Merge { shards, out } => batch::merge(&settings, &shards, &out),
        Command::Demo(args) => demo::run(&settings, args),
        Command::Hint {
            exercise,
            all,
            workspace,
        } => hint::run(&settings, &exercise, all, workspace.as_deref()),
        Command::Watch { workspace, poll } => watch::run(&settings, workspace.as_deref(), poll),
        Command::Next { path, workspace } => next::run(&settings, workspace.as_deref(), path),
        Command::Reset {
            exercise,
            workspace,
        } => reset::run(&settings, &exercise, workspace.as_deref()),
        Command::Solution {
            exercise,
            workspace,
        } => solution::run(&settings, &exercise, workspace.as_deref()),
        Command::Verify {
            exercises,
            jobs,
            mutants: true,
            sample,
            json,
        } => mutants::run(&settings, jobs, &exercises, sample, json.as_deref()),
        Command::Verify {
            exercises,
            jobs,
            json,
            ..
        } => verify::run(&settings, jobs, &exercises, json.as_deref()),
        Command::Setup { print_python } => setup::run(&settings, print_python),
        Command::Doctor => doctor::run(&settings),
        Command::Completions { shell } => completions::run(shell),
        Command::Man { dir } => man::run(dir.as_deref()),
        Command::ExercismRun {
            slug,
            input,
            output,
            timeout,
        } => exercism_run::run(&settings, &slug, &input, &output, timeout),
    }
}
