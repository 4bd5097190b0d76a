//! `pygrade completions SHELL`: the shell's completion script, made from the command line's
//! own definition, so that it never falls behind it.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::Outcome;

pub(super) fn run(shell: Shell) -> Result<Outcome> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "pygrade", &mut out);
    Ok(Outcome::Success)
}
