//! A run as it happens: a progress bar on standard error with the checks done and the
//! exercise last graded. indicatif draws nothing when standard error is not a terminal.

use anyhow::Result;

use crate::engine::{Event, Listener};

pub(crate) struct Bar {
    bar: indicatif::ProgressBar,
}

impl Bar {
    pub(crate) fn new() -> Bar {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} grading {bar:30} {pos}/{len} checks {msg}",
            )
            .expect("a valid template"),
        );
        Bar { bar }
    }
}

impl Listener for Bar {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        match event {
            Event::RunStarted { checks, .. } => self.bar.set_length(*checks as u64),
            Event::CheckFinished { unit, .. } => {
                self.bar.inc(1);
                self.bar.set_message(unit.exercise.id.clone());
            }
            Event::RunFinished { .. } => self.bar.finish_and_clear(),
            _ => {}
        }
        Ok(())
    }
}
