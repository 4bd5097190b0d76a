//! `pygrade solution EXERCISE`: the exercise's reference solution, to compare with one's own,
//! shown only once the learner's own solution has got full marks. A bank's outline may keep
//! its solutions to the mentors (`show-solutions = false`).

use std::path::Path;

use anyhow::Result;
use colored::Colorize;

use crate::exit::Outcome;
use crate::settings::Settings;
use crate::workspace::Workspace;

pub(super) fn run(settings: &Settings, name: &str, workspace: Option<&Path>) -> Result<Outcome> {
    let bank = settings.bank()?;
    let exercise = bank.find(name)?;
    if !bank.outline.show_solutions {
        eprintln!(
            "This bank keeps its reference solutions to the mentors (its outline.toml says `show-solutions = false`): ask yours."
        );
        return Ok(Outcome::Failure);
    }
    let workspace = Workspace::around(workspace)?;
    if !workspace.state()?.solved.contains(&exercise.id) {
        eprintln!(
            "Solve {} first: its reference solution is shown once your own has got full marks (`pygrade check {}`; `pygrade hint {}` helps).",
            exercise.id,
            exercise.name(),
            exercise.name()
        );
        return Ok(Outcome::Failure);
    }
    println!(
        "{}",
        format!(
            "The reference solution of {} ({}):",
            exercise.id, exercise.manifest.title
        )
        .bold()
    );
    for (path, bytes) in &exercise.files {
        let Ok(file) = path.strip_prefix("reference") else {
            continue;
        };
        println!("\n{}", format!("── {} ──", file.display()).cyan());
        match std::str::from_utf8(bytes) {
            Ok(text) => print!("{text}"),
            Err(_) => println!("({} bytes, not text)", bytes.len()),
        }
    }
    Ok(Outcome::Success)
}
