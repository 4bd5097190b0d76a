//! `pygrade man [DIR]`: the manual pages, in roff, made from the command line's own
//! definition: the options, every command with what it does, and the exit codes.

use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::Outcome;

pub(super) fn run(dir: Option<&Path>) -> Result<Outcome> {
    // A page's header takes the version alone, on one line; `help` has no page of its own.
    let command = Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    match dir {
        None => clap_mangen::Man::new(command)
            .render(&mut std::io::stdout().lock())
            .context("could not write the manual page")?,
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
            clap_mangen::generate_to(command, dir).with_context(|| {
                format!("could not write the manual pages into {}", dir.display())
            })?;
            eprintln!(
                "pygrade: manual pages written to {}: try `man -l {}`",
                dir.display(),
                dir.join("pygrade.1").display()
            );
        }
    }
    Ok(Outcome::Success)
}
