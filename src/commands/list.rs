//! `pygrade list`: the exercises by module, with the last known grade of each, how many of
//! each module's exercises are solved, and under each module its topics: the exercises that
//! practise each one, and how many of them are solved.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use colored::Colorize;

use crate::exit::Outcome;
use crate::report::progress::bar;
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
    let (known, in_workspace) = match workspace {
        Some(dir) => (Workspace::find(dir)?.state()?, true),
        // Outside a workspace, list the bank alone, and say why there are no grades.
        None => match Workspace::find(&std::env::current_dir()?) {
            Ok(ws) => (ws.state()?, true),
            Err(WorkspaceError::NotAWorkspace { .. }) => {
                let why = "Not in a pygrade workspace, so no grades are shown: create one with `pygrade init DIR`, or pass --workspace.";
                writeln!(out, "{}", why.dimmed())?;
                (Default::default(), false)
            }
            Err(err) => return Err(err.into()),
        },
    };
    let solved = |id: &str| known.passes(id);
    let topics = bank.topics();
    // Columns as wide as the longest id and title listed, a title past MAX_TITLE cut short.
    const MAX_TITLE: usize = 40;
    let id_width = exercises
        .iter()
        .map(|e| e.id.chars().count())
        .max()
        .unwrap_or(0);
    let title_width = (exercises.iter())
        .map(|e| e.manifest.title.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_TITLE);
    let mut module = 0;
    for (i, e) in exercises.iter().enumerate() {
        if e.manifest.module != module {
            module = e.manifest.module;
            let of_module: Vec<_> = (exercises.iter())
                .filter(|x| x.manifest.module == module)
                .collect();
            let done = of_module.iter().filter(|x| solved(&x.id)).count();
            writeln!(
                out,
                "\nModule {module}: {}  {}",
                e.module_title.bold(),
                bar(done, of_module.len())
            )?;
        }
        let status = match known.grades.get(&e.id) {
            Some(k) => format!("{:<12} {}/{}", k.status, k.score, k.max_score),
            None => "not graded".dimmed().to_string(),
        };
        let title = &e.manifest.title;
        let title = if title.chars().count() > MAX_TITLE {
            let cut: String = title.chars().take(MAX_TITLE - 1).collect();
            format!("{cut}…")
        } else {
            title.clone()
        };
        writeln!(
            out,
            "  {:<id_width$}  {title:<title_width$}  {status}",
            e.id
        )?;
        let last_of_module = exercises
            .get(i + 1)
            .is_none_or(|next| next.manifest.module != module);
        // The module's topics, after its exercises, when the whole bank is listed.
        if last_of_module && filters.is_empty() {
            let of_module: Vec<_> = topics.iter().filter(|t| t.module == module).collect();
            if !of_module.is_empty() {
                writeln!(out, "  {}", "topics:".dimmed())?;
            }
            for topic in of_module {
                let done = topic.exercises.iter().filter(|x| solved(&x.id)).count();
                if topic.exercises.is_empty() {
                    let none = format!("{:<16} {} (no exercise yet)", "", topic.name);
                    writeln!(out, "    {} {}", "-".dimmed(), none.dimmed())?;
                    continue;
                }
                let names: Vec<&str> = topic.exercises.iter().map(|x| x.slug()).collect();
                let mark = if done == topic.exercises.len() {
                    "✓".green()
                } else {
                    "·".normal()
                };
                let progress = bar(done, topic.exercises.len());
                let by = format!("({})", names.join(", ")).dimmed();
                writeln!(out, "    {mark} {progress:<16} {} {by}", topic.name)?;
            }
        }
    }
    // The whole way, and the next step on it.
    if in_workspace {
        let done = exercises.iter().filter(|e| solved(&e.id)).count();
        writeln!(out, "\n{} {}", "All:".bold(), bar(done, exercises.len()))?;
        match exercises.iter().find(|e| !solved(&e.id)) {
            Some(next) => writeln!(
                out,
                "Next: {} ({}): `pygrade next` says where it is",
                next.id, next.manifest.title
            )?,
            None => writeln!(out, "Every exercise listed is solved.")?,
        }
    }
    Ok(Outcome::Success)
}
