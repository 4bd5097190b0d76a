//! `pygrade init DIR`: a learner workspace with every exercise's handout.

use std::path::Path;

use anyhow::Result;

use crate::exit::Outcome;
use crate::settings::Settings;
use crate::workspace::Workspace;

pub(super) fn run(settings: &Settings, dir: &Path) -> Result<Outcome> {
    let bank = settings.bank()?;
    let (_, done) = Workspace::init(dir, &bank)?;
    println!(
        "Workspace ready in {}: {} exercises ({} files written, {} existing files kept).",
        dir.display(),
        bank.exercises.len(),
        done.written,
        done.kept
    );
    for file in &done.foreign {
        println!(
            "Kept {}, which pygrade did not write: to run the tests with plain `pytest`, move it away and run `pygrade init` again.",
            file.display()
        );
    }
    println!(
        "Next: cd {} && pygrade list, then solve an exercise and run `pygrade check` (or `pytest` there for the tests alone).",
        dir.display()
    );
    Ok(Outcome::Success)
}
