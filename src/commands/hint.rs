//! `pygrade hint EXERCISE`: an exercise's hints, one at a time. In a workspace each call
//! shows the next hint, numbered ("hint 2 of 3"), and the workspace remembers how far the
//! learner has read; `--all` shows every hint at once, as does a call outside a workspace.

use std::path::Path;

use anyhow::Result;
use colored::Colorize;

use crate::exit::Outcome;
use crate::settings::Settings;
use crate::workspace::{Workspace, WorkspaceError};

pub(super) fn run(
    settings: &Settings,
    name: &str,
    all: bool,
    workspace: Option<&Path>,
) -> Result<Outcome> {
    let bank = settings.bank()?;
    let exercise = bank.find(name)?;
    let m = &exercise.manifest;
    println!(
        "{} ({})\ntopics: {}\n",
        m.title,
        exercise.id,
        m.topics.join(", ")
    );
    let workspace = match workspace {
        Some(dir) => Some(Workspace::find(dir)?),
        None => match Workspace::find(&std::env::current_dir()?) {
            Ok(found) => Some(found),
            Err(WorkspaceError::NotAWorkspace { .. }) => None,
            Err(err) => return Err(err.into()),
        },
    };
    let total = m.hints.len();
    let (Some(workspace), false) = (workspace, all) else {
        for (i, hint) in m.hints.iter().enumerate() {
            println!(
                "{} {}",
                format!("hint {} of {total}:", i + 1).cyan(),
                hint.trim()
            );
        }
        return Ok(Outcome::Success);
    };
    let Some(next) = workspace.next_hint(exercise)? else {
        println!("This exercise has no hints.");
        return Ok(Outcome::Success);
    };
    println!(
        "{} {}",
        format!("hint {} of {total}:", next + 1).cyan(),
        m.hints[next].trim()
    );
    if next + 1 < total {
        println!(
            "\n{}",
            format!("Stuck still? `pygrade hint {name}` again shows the next hint.").dimmed()
        );
    } else {
        println!(
            "\n{}",
            format!("That was the last hint; `pygrade hint {name} --all` shows them all.").dimmed()
        );
    }
    Ok(Outcome::Success)
}
