//! `pygrade hint EXERCISE`: an exercise's hint.

use anyhow::Result;

use crate::exit::Outcome;
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, name: &str) -> Result<Outcome> {
    let bank = settings.bank()?;
    let exercise = bank.find(name)?;
    let m = &exercise.manifest;
    println!(
        "{} ({})\ntopics: {}\n\n{}",
        m.title,
        exercise.id,
        m.topics.join(", "),
        m.hint.trim()
    );
    Ok(Outcome::Success)
}
