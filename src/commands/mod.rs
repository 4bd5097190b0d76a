//! Commands: one file per command. Each wires the pipeline's stages together for one job of
//! the user's; none decides a grade or draws a report itself.

mod check;
mod demo;
mod doctor;
mod exercism_run;
mod hint;
mod init;
mod list;
mod setup;
mod verify;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;
use crate::settings::Settings;

pub(crate) fn run(cli: Cli) -> Result<Outcome> {
    // The supervisor starts for every contained process: it needs no settings.
    if let Command::Supervise { spec, command } = &cli.command {
        crate::contain::supervise::run(spec, command)?;
        return Ok(Outcome::Success);
    }
    let settings = Settings::new(&cli.global);
    match cli.command {
        Command::Supervise { .. } => unreachable!("handled above"),
        Command::Init { dir } => init::run(&settings, &dir),
        Command::List {
            exercises,
            workspace,
        } => list::run(&settings, &exercises, workspace.as_deref()),
        Command::Check(args) => check::run(&settings, args),
        Command::Demo(args) => demo::run(&settings, args),
        Command::Hint { exercise } => hint::run(&settings, &exercise),
        Command::Verify { jobs } => verify::run(&settings, jobs),
        Command::Setup { print_python } => setup::run(&settings, print_python),
        Command::Doctor => doctor::run(&settings),
        Command::ExercismRun {
            slug,
            input,
            output,
            timeout,
        } => exercism_run::run(&settings, &slug, &input, &output, timeout),
    }
}
