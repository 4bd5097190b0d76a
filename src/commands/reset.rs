//! `pygrade reset EXERCISE`: the exercise's starter files, statement and visible tests put back
//! as `init` wrote them, after the learner's files are copied into the workspace's
//! `.pygrade/backups/`, so that starting over loses nothing.

use std::path::Path;

use anyhow::Result;

use crate::exit::Outcome;
use crate::settings::Settings;
use crate::workspace::Workspace;

pub(super) fn run(settings: &Settings, name: &str, workspace: Option<&Path>) -> Result<Outcome> {
    let bank = settings.bank()?;
    let exercise = bank.find(name)?;
    let workspace = Workspace::around(workspace)?;
    match workspace.reset(exercise)? {
        Some(backup) => println!(
            "Restored the starter of {}. Your files are kept in {}.",
            exercise.id,
            backup.display()
        ),
        None => println!(
            "Restored the starter of {} (its folder held no files to keep).",
            exercise.id
        ),
    }
    Ok(Outcome::Success)
}
