//! `pygrade next`: the first exercise, in the bank's order, that the workspace has not solved
//! (full marks at its last grading), where its folder is, and how far the learner has come.
//! `--path` prints the folder alone, for `cd "$(pygrade next --path)"`.

use std::path::Path;

use anyhow::Result;
use colored::Colorize;

use crate::exit::Outcome;
use crate::settings::Settings;
use crate::workspace::Workspace;

pub(super) fn run(
    settings: &Settings,
    workspace: Option<&Path>,
    path_only: bool,
) -> Result<Outcome> {
    let bank = settings.bank()?;
    let workspace = Workspace::around(workspace)?;
    let state = workspace.state()?;
    let total = bank.exercises.len();
    let solved = bank
        .exercises
        .iter()
        .filter(|e| state.passes(&e.id))
        .count();
    let Some(next) = bank.exercises.iter().find(|e| !state.passes(&e.id)) else {
        // Nothing for `cd` to go to: the news goes to stderr.
        eprintln!("Every exercise is solved: {solved} of {total}. Well done.");
        return Ok(Outcome::Success);
    };
    let folder = workspace.exercise_dir(&next.id);
    if path_only {
        println!("{}", folder.display());
        return Ok(Outcome::Success);
    }
    let name = next.name();
    println!(
        "Next: {} ({}), module {}: {}",
        next.id.bold(),
        next.manifest.title,
        next.manifest.module,
        next.module_title
    );
    match state.grades.get(&next.id) {
        Some(known) => println!(
            "  last graded: {} {}/{}",
            known.status, known.score, known.max_score
        ),
        None => println!("  not graded yet"),
    }
    println!("  read {}", folder.join("README.md").display());
    println!(
        "  then `pygrade check {name}` grades it, and `pygrade hint {name}` helps when you are stuck"
    );
    println!(
        "{}",
        format!("{solved} of {total} exercises solved.").dimmed()
    );
    Ok(Outcome::Success)
}
