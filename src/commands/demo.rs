//! `pygrade demo`: a demo learner's workspace, built from the bank's references and its
//! `demo.toml`, graded as `pygrade check` would grade it. It shows a new user what pygrade
//! reports for solved, instructively wrong and untouched exercises.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::check;
use crate::checks::Hidden;
use crate::cli::DemoArgs;
use crate::exit::Outcome;
use crate::settings::Settings;
use crate::workspace::Workspace;

pub(super) fn run(settings: &Settings, args: DemoArgs) -> Result<Outcome> {
    let bank = settings.bank()?;
    let demo = match bank.demo() {
        Some(Ok(demo)) => demo,
        Some(Err(problems)) => bail!("the demo cannot be built:\n  {}", problems.join("\n  ")),
        None => bail!(
            "the bank ({}) has no {}: there is no demo learner to grade",
            bank.origin,
            crate::bank::demo::FILE
        ),
    };
    let temporary;
    let dir: &Path = match &args.workspace {
        Some(dir) => dir,
        None => {
            temporary = tempfile::Builder::new()
                .prefix("pygrade-demo-")
                .tempdir()
                .context("could not create a folder for the demo (is TMPDIR writable?)")?;
            temporary.path()
        }
    };
    let (workspace, _) = Workspace::init(dir, &bank)?;
    for exercise in &demo {
        for (name, bytes) in &exercise.files {
            let path = workspace.exercise_dir(&exercise.id).join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, bytes)
                .with_context(|| format!("could not write {}", path.display()))?;
        }
    }
    let lessons: Vec<String> = demo
        .iter()
        .filter_map(|e| Some(format!("  {}: {}", e.id, e.lesson.as_deref()?)))
        .collect();
    eprintln!(
        "pygrade: the demo learner solved {} exercises and got these wrong on purpose:\n{}\nthe other {} are untouched.",
        demo.len() - lessons.len(),
        lessons.join("\n"),
        bank.exercises.len() - demo.len()
    );
    let exercises: Vec<_> = bank.exercises.iter().collect();
    // The demo learner is graded as a learner grades their own work: without hidden tests.
    check::grade(settings, &workspace, &exercises, &args.run, Hidden::Skip)?;
    if args.workspace.is_some() {
        eprintln!(
            "pygrade: the demo workspace is in {}: try `pygrade check --workspace {}`",
            dir.display(),
            dir.display()
        );
    }
    // The demo's failures are the point of it: they are not a failure of the command.
    Ok(Outcome::Success)
}
