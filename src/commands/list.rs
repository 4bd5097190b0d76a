//! `pygrade list`: the exercises by module, with the last known grade of each.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use colored::Colorize;

use crate::exit::Outcome;
use crate::settings::Settings;
use crate::workspace::{Workspace, WorkspaceError};

pub(super) fn run(
    settings: &Settings,
    filters: &[String],
    workspace: Option<&Path>,
) -> Result<Outcome> {
    settings.decide_color(std::io::stdout().is_terminal());
    let bank = settings.bank()?;
    let exercises = bank.select(filters)?;
    let mut out = std::io::stdout().lock();
    let known = match workspace {
        Some(dir) => Workspace::find(dir)?.known(),
        // Outside a workspace, list the bank alone, and say why there are no grades.
        None => match Workspace::find(&std::env::current_dir()?) {
            Ok(ws) => ws.known(),
            Err(WorkspaceError::NotAWorkspace { .. }) => {
                let why = "Not in a pygrade workspace, so no grades are shown: create one with `pygrade init DIR`, or pass --workspace.";
                writeln!(out, "{}", why.dimmed())?;
                Default::default()
            }
            Err(err) => return Err(err.into()),
        },
    };
    let mut module = 0;
    for e in exercises {
        if e.manifest.module != module {
            module = e.manifest.module;
            writeln!(out, "\nModule {module}: {}", e.module_title.bold())?;
        }
        let status = match known.get(&e.id) {
            Some(k) => format!("{:<12} {}/{}", k.status, k.score, k.max_score),
            None => "not graded".dimmed().to_string(),
        };
        writeln!(out, "  {:<44} {:<28} {status}", e.id, e.manifest.title)?;
    }
    Ok(Outcome::Success)
}
