//! A run as it happens, on standard error: on a terminal, a bar with the checks done, their
//! rate, the time left and what was graded last; elsewhere (a CI log, a file), for a batch, a
//! plain line now and then, and nothing for a workspace's own check, which is over in seconds.
//! Also the bar of solved exercises that `list` and `watch` draw.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::engine::{Event, Listener};

/// `done` of `all` as a bar of ten and a count: `[###-------] 1/3`.
pub(crate) fn bar(done: usize, all: usize) -> String {
    const WIDTH: usize = 10;
    let filled = (done * WIDTH).checked_div(all).unwrap_or(0);
    format!(
        "[{}{}] {done}/{all}",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled)
    )
}

/// How often a batch's plain progress line is written when standard error is no terminal.
const LINE_EVERY: Duration = Duration::from_secs(15);

pub(crate) struct Bar {
    bar: indicatif::ProgressBar,
    /// For a batch off a terminal: when the run started and the last line was written.
    lines: Option<Lines>,
    /// Units are named by learner too (a batch).
    by_learner: bool,
}

struct Lines {
    started: Instant,
    last: Instant,
    done: u64,
    total: u64,
}

impl Bar {
    /// The bar of a workspace's check.
    pub(crate) fn new() -> Bar {
        Bar::with_template("{spinner} grading {bar:30} {pos}/{len} checks {msg}", false)
    }

    /// The bar of a batch: with rate and time left, and plain lines off a terminal.
    pub(crate) fn batch() -> Bar {
        let mut bar = Bar::with_template(
            "{spinner} grading {bar:30} {pos}/{len} checks · {per_sec} · {eta} left · {msg}",
            true,
        );
        if bar.bar.is_hidden() {
            let now = Instant::now();
            bar.lines = Some(Lines {
                started: now,
                last: now,
                done: 0,
                total: 0,
            });
        }
        bar
    }

    fn with_template(template: &str, by_learner: bool) -> Bar {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        bar.set_style(indicatif::ProgressStyle::with_template(template).expect("a valid template"));
        Bar {
            bar,
            lines: None,
            by_learner,
        }
    }
}

impl Lines {
    fn line(&self) -> String {
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = self.done as f64 / elapsed.max(0.001);
        let left = (self.total.saturating_sub(self.done)) as f64 / rate.max(1e-9);
        format!(
            "pygrade: {}/{} checks graded ({}%), {rate:.1} checks/s, about {} left",
            self.done,
            self.total,
            (100 * self.done).checked_div(self.total).unwrap_or(100),
            humantime::format_duration(Duration::from_secs(left.round() as u64))
        )
    }
}

impl Listener for Bar {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        match event {
            Event::RunStarted { checks, .. } => {
                self.bar.set_length(*checks as u64);
                if let Some(lines) = &mut self.lines {
                    lines.total = *checks as u64;
                    eprintln!("pygrade: grading {checks} checks");
                }
            }
            Event::CheckFinished { unit, .. } => {
                self.bar.inc(1);
                self.bar.set_message(if self.by_learner {
                    format!("{}: {}", unit.submission, unit.exercise.id)
                } else {
                    unit.exercise.id.clone()
                });
                if let Some(lines) = &mut self.lines {
                    lines.done += 1;
                    if lines.last.elapsed() >= LINE_EVERY {
                        lines.last = Instant::now();
                        eprintln!("{}", lines.line());
                    }
                }
            }
            Event::RunFinished { .. } => self.bar.finish_and_clear(),
            _ => {}
        }
        Ok(())
    }
}
